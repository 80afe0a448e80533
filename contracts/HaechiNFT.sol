// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "solady/tokens/ERC721.sol";
import {LibString} from "solady/utils/LibString.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title Haechi content-ownership NFT
/// @notice ERC-721 whose token id is the SHA-256 of a citizen's content, with a
/// per-token ERC-2981 royalty paid to the creator (the first owner).
///
/// Storage (see contracts/README.md): Solady's ERC721 keeps, per token, one
/// ownership word `[0..159] owner | [160..255] extra data`. Haechi puts in the
/// extra data the royalty in basis points (bits 160..175), a "minted" flag
/// (bit 176, set at mint and never cleared, so that a burned id stays retired)
/// and a "creator moved" flag (bit 177). The creator is the owner at mint; it
/// is written to its own slot (`_movedCreator`) only when the token is first
/// transferred, so a mint writes exactly two fresh slots: the ownership word and
/// the new owner's balance.
///
/// Pausing stops mint, mintBatch, transfers and burns; approvals stay allowed.
contract HaechiNFT is ERC721, AccessControl, Pausable {
    /*//////////////////////////////////////////////////////////////
                                 ROLES
    //////////////////////////////////////////////////////////////*/

    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /*//////////////////////////////////////////////////////////////
                             ERRORS, EVENTS
    //////////////////////////////////////////////////////////////*/

    error AlreadyMinted(uint256 tokenId);
    error TokenRetired(uint256 tokenId);
    error LengthMismatch();
    error ZeroAddress();
    error RoyaltyTooHigh(uint256 bps);
    error NotTokenOwner(uint256 tokenId, address caller);

    /// @notice A token was minted to `creator`, who receives its royalties.
    /// The metadata hash is committed here, in the log, not in storage.
    event Minted(uint256 indexed tokenId, address creator, bytes32 metadataHash);

    /// @notice mintBatch skipped `tokenId`: it exists (`owner` is its owner)
    /// or it was burned and is retired (`owner` is the zero address).
    event MintSkipped(uint256 indexed tokenId, address indexed owner);

    event BaseURIChanged(string baseURI);

    /*//////////////////////////////////////////////////////////////
                          PACKED OWNERSHIP WORD
    //////////////////////////////////////////////////////////////*/

    /// @dev Solady ERC721's private `_ERC721_MASTER_SLOT_SEED` (solady 0.1.26,
    /// pinned exactly in package-lock.json). The mint path below writes the
    /// ownership word and balance at the slots Solady derives from it; the
    /// integration tests read them back through Solady's own ownerOf/balanceOf.
    uint256 private constant _SLOT_SEED = 0x7d8825530a5a2e7a << 192;

    uint256 private constant _ADDRESS_MASK = (1 << 160) - 1;
    uint256 private constant _BPS_SHIFT = 160;
    uint256 private constant _BPS_MASK = 0xffff;
    uint256 private constant _MINTED_FLAG = 1 << 176;
    uint256 private constant _CREATOR_MOVED_FLAG = 1 << 177;
    uint256 private constant _MAX_BPS = 10000;
    uint256 private constant _MAX_ACCOUNT_BALANCE_MASK = 0xffffffff;

    /// @dev keccak256("Transfer(address,address,uint256)")
    uint256 private constant _TRANSFER_TOPIC =
        0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef;
    /// @dev keccak256("Minted(uint256,address,bytes32)")
    uint256 private constant _MINTED_TOPIC =
        0x735d687607ce9e35b73121f5b238c4cd2854db103741adba51d670bb706051cc;
    /// @dev keccak256("MintSkipped(uint256,address)")
    uint256 private constant _MINT_SKIPPED_TOPIC =
        0x69e422c56336fd50168cf80df95c19c3faa6f37321624c038c8d0c18427d9a28;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    string private _name;
    string private _symbol;
    string private _baseTokenURI;

    /// @dev The creator of a token that has left the creator's hands at least
    /// once (flag `_CREATOR_MOVED_FLAG`). Before that, the creator is the owner.
    mapping(uint256 tokenId => address creator) private _movedCreator;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param admin gets DEFAULT_ADMIN_ROLE and PAUSER_ROLE; must not be zero.
    /// @param minter gets MINTER_ROLE unless it is the zero address.
    constructor(
        string memory name_,
        string memory symbol_,
        string memory baseURI_,
        address admin,
        address minter
    ) {
        if (admin == address(0)) revert ZeroAddress();
        _name = name_;
        _symbol = symbol_;
        _baseTokenURI = baseURI_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        if (minter != address(0)) _grantRole(MINTER_ROLE, minter);
        emit BaseURIChanged(baseURI_);
    }

    /*//////////////////////////////////////////////////////////////
                                MINTING
    //////////////////////////////////////////////////////////////*/

    /// @notice Mints token `uint256(contentHash)` to `to`, its creator, with a
    /// royalty of `royaltyBps` / 10000 of the sale price paid to the creator.
    /// Reverts AlreadyMinted if the token exists, TokenRetired if it was burned.
    function mint(address to, bytes32 contentHash, bytes32 metadataHash, uint16 royaltyBps)
        external
        onlyRole(MINTER_ROLE)
        whenNotPaused
    {
        if (to == address(0)) revert ZeroAddress();
        if (royaltyBps > _MAX_BPS) revert RoyaltyTooHigh(royaltyBps);
        uint256 id = uint256(contentHash);
        assembly ("memory-safe") {
            mstore(0x00, id)
            mstore(0x1c, _SLOT_SEED)
            let slot := add(id, add(id, keccak256(0x00, 0x20)))
            let packed := sload(slot)
            if packed {
                // An owner: AlreadyMinted(id). No owner but the minted flag: TokenRetired(id).
                mstore(0x00, 0xa593dbf8) // `AlreadyMinted(uint256)`
                if iszero(and(packed, _ADDRESS_MASK)) { mstore(0x00, 0x8a01fe58) } // `TokenRetired(uint256)`
                mstore(0x20, id)
                revert(0x1c, 0x24)
            }
            sstore(slot, or(to, or(shl(_BPS_SHIFT, royaltyBps), _MINTED_FLAG)))
            // Solady's balance slot of `to`; the seed's tail is still at 0x20.
            mstore(0x00, to)
            let balanceSlot := keccak256(0x0c, 0x1c)
            let bal := add(sload(balanceSlot), 1)
            if iszero(and(bal, _MAX_ACCOUNT_BALANCE_MASK)) {
                mstore(0x00, 0x01336cea) // `AccountBalanceOverflow()`
                revert(0x1c, 0x04)
            }
            sstore(balanceSlot, bal)
            log4(codesize(), 0x00, _TRANSFER_TOPIC, 0, to, id)
            mstore(0x00, to)
            mstore(0x20, metadataHash)
            log2(0x00, 0x40, _MINTED_TOPIC, id)
        }
    }

    /// @notice mint() for many tokens. An id that exists already, or that was
    /// burned, is skipped with a MintSkipped event instead of reverting, so one
    /// duplicate cannot sink the batch. Reverts (the whole batch) on a length
    /// mismatch, a zero address, a royalty above 10000 bps, when paused, or
    /// without MINTER_ROLE. Returns the number of tokens minted.
    function mintBatch(
        address[] calldata to,
        bytes32[] calldata contentHashes,
        bytes32[] calldata metadataHashes,
        uint16[] calldata royaltyBps
    ) external onlyRole(MINTER_ROLE) whenNotPaused returns (uint256 minted) {
        uint256 n = to.length;
        if (contentHashes.length != n || metadataHashes.length != n || royaltyBps.length != n) {
            revert LengthMismatch();
        }
        // The same steps as mint(), inlined; the arrays are read straight from
        // calldata (their bounds were checked by the ABI decoder), and each
        // element is validated as the decoder would.
        assembly ("memory-safe") {
            let skipped := 0
            let p := to.offset
            let end := add(p, shl(5, n))
            let idDelta := sub(contentHashes.offset, p)
            let mdDelta := sub(metadataHashes.offset, p)
            let bpsDelta := sub(royaltyBps.offset, p)
            for {} lt(p, end) { p := add(p, 0x20) } {
                let owner := calldataload(p)
                let bps := calldataload(add(p, bpsDelta))
                // One test on the hot path: owner == 0 or dirty upper bits (so
                // not an ABI-encoded address), or bps > 10000.
                if or(gt(sub(owner, 1), sub(_ADDRESS_MASK, 1)), gt(bps, _MAX_BPS)) {
                    if iszero(owner) {
                        mstore(0x00, 0xd92e233d) // `ZeroAddress()`
                        revert(0x1c, 0x04)
                    }
                    // Not an ABI-encoded address or uint16: revert as the decoder would.
                    if or(shr(160, owner), gt(bps, 0xffff)) { revert(0x00, 0x00) }
                    mstore(0x00, 0x5c707b49) // `RoyaltyTooHigh(uint256)`
                    mstore(0x20, bps)
                    revert(0x1c, 0x24)
                }
                let id := calldataload(add(p, idDelta))
                mstore(0x00, id)
                mstore(0x1c, _SLOT_SEED)
                let slot := add(id, add(id, keccak256(0x00, 0x20)))
                let packed := sload(slot)
                if packed {
                    skipped := add(skipped, 1)
                    log3(codesize(), 0x00, _MINT_SKIPPED_TOPIC, id, and(packed, _ADDRESS_MASK))
                    continue
                }
                sstore(slot, or(owner, or(shl(_BPS_SHIFT, bps), _MINTED_FLAG)))
                mstore(0x00, owner)
                let balanceSlot := keccak256(0x0c, 0x1c)
                let bal := add(sload(balanceSlot), 1)
                if iszero(and(bal, _MAX_ACCOUNT_BALANCE_MASK)) {
                    mstore(0x00, 0x01336cea) // `AccountBalanceOverflow()`
                    revert(0x1c, 0x04)
                }
                sstore(balanceSlot, bal)
                log4(codesize(), 0x00, _TRANSFER_TOPIC, 0, owner, id)
                // the seed at 0x1c is stored again for the next id
                mstore(0x00, owner)
                mstore(0x20, calldataload(add(p, mdDelta)))
                log2(0x00, 0x40, _MINTED_TOPIC, id)
            }
            minted := sub(n, skipped)
        }
    }

    /*//////////////////////////////////////////////////////////////
                                BURNING
    //////////////////////////////////////////////////////////////*/

    /// @notice The token's owner (only the owner, not an approved account)
    /// withdraws the work. The id is retired: it can never be minted again.
    function burn(uint256 tokenId) external {
        if (_ownerOf(tokenId) != msg.sender) revert NotTokenOwner(tokenId, msg.sender);
        _burn(tokenId);
    }

    /*//////////////////////////////////////////////////////////////
                               ROYALTIES
    //////////////////////////////////////////////////////////////*/

    /// @notice ERC-2981: the creator receives salePrice * bps / 10000 (rounded
    /// down). A token that does not exist (never minted, or burned) has no
    /// royalty: (address(0), 0).
    function royaltyInfo(uint256 tokenId, uint256 salePrice)
        external
        view
        returns (address receiver, uint256 royaltyAmount)
    {
        uint256 packed = _packedOwnership(tokenId);
        receiver = address(uint160(packed));
        if (receiver == address(0)) return (address(0), 0);
        if (packed & _CREATOR_MOVED_FLAG != 0) receiver = _movedCreator[tokenId];
        royaltyAmount = Math.mulDiv(salePrice, (packed >> _BPS_SHIFT) & _BPS_MASK, _MAX_BPS);
    }

    /// @notice The creator of an existing token (its owner at mint).
    function creatorOf(uint256 tokenId) external view returns (address) {
        uint256 packed = _packedOwnership(tokenId);
        address owner = address(uint160(packed));
        if (owner == address(0)) revert TokenDoesNotExist();
        return packed & _CREATOR_MOVED_FLAG != 0 ? _movedCreator[tokenId] : owner;
    }

    /*//////////////////////////////////////////////////////////////
                                QUERIES
    //////////////////////////////////////////////////////////////*/

    function exists(uint256 tokenId) external view returns (bool) {
        return _exists(tokenId);
    }

    /// @notice True if `tokenId` was minted and then burned: it can never be minted again.
    function retired(uint256 tokenId) external view returns (bool) {
        uint256 packed = _packedOwnership(tokenId);
        return packed & _ADDRESS_MASK == 0 && packed & _MINTED_FLAG != 0;
    }

    /*//////////////////////////////////////////////////////////////
                                METADATA
    //////////////////////////////////////////////////////////////*/

    function name() public view override returns (string memory) {
        return _name;
    }

    function symbol() public view override returns (string memory) {
        return _symbol;
    }

    /// @notice Base URI followed by the id as 64 lowercase hex digits, i.e. the
    /// content's `sha256sum`. Reverts TokenDoesNotExist for a token that does not exist.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        if (!_exists(tokenId)) revert TokenDoesNotExist();
        return string.concat(_baseTokenURI, LibString.toHexStringNoPrefix(tokenId, 32));
    }

    function baseURI() external view returns (string memory) {
        return _baseTokenURI;
    }

    function setBaseURI(string calldata baseURI_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _baseTokenURI = baseURI_;
        emit BaseURIChanged(baseURI_);
    }

    /*//////////////////////////////////////////////////////////////
                                 PAUSE
    //////////////////////////////////////////////////////////////*/

    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /*//////////////////////////////////////////////////////////////
                             ERC-721 HOOKS
    //////////////////////////////////////////////////////////////*/

    /// @dev Solady makes approve and the transfers payable; nothing here could
    /// ever return ether, so refuse it as a non-payable function would.
    function approve(address account, uint256 id) public payable override {
        if (msg.value != 0) revert();
        super.approve(account, id);
    }

    /// @dev Called by Solady before every transfer and burn (mints take the
    /// path above and check the pause themselves). On a token's first transfer
    /// the creator (its current owner) is written to `_movedCreator`.
    function _beforeTokenTransfer(address from, address to, uint256 id) internal override {
        if (msg.value != 0) revert();
        _requireNotPaused();
        if (from != address(0) && to != address(0)) {
            uint256 slot = _ownershipSlot(id);
            uint256 packed;
            assembly ("memory-safe") {
                packed := sload(slot)
            }
            address owner = address(uint160(packed));
            // A token that does not exist, or a wrong `from`, reverts in Solady afterwards.
            if (packed & _CREATOR_MOVED_FLAG == 0 && owner != address(0)) {
                _movedCreator[id] = owner;
                assembly ("memory-safe") {
                    sstore(slot, or(packed, _CREATOR_MOVED_FLAG))
                }
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                                ERC-165
    //////////////////////////////////////////////////////////////*/

    /// @notice ERC165, ERC721, ERC721Metadata, ERC2981 and AccessControl.
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC721, AccessControl)
        returns (bool)
    {
        return interfaceId == type(IERC2981).interfaceId || ERC721.supportsInterface(interfaceId)
            || AccessControl.supportsInterface(interfaceId);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev Solady's ownership slot of `id`.
    function _ownershipSlot(uint256 id) private pure returns (uint256 slot) {
        assembly ("memory-safe") {
            mstore(0x00, id)
            mstore(0x1c, _SLOT_SEED)
            slot := add(id, add(id, keccak256(0x00, 0x20)))
        }
    }

    function _packedOwnership(uint256 id) private view returns (uint256 packed) {
        uint256 slot = _ownershipSlot(id);
        assembly ("memory-safe") {
            packed := sload(slot)
        }
    }
}
