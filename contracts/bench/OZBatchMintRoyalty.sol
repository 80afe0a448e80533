// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";

/// @notice Gas baseline (tools/bench/gas), not deployed anywhere: OpenZeppelin's
/// ERC721 _mint plus ERC2981 _setTokenRoyalty per token (receiver = the first
/// owner), no access control.
contract OZBatchMintRoyalty is ERC721, ERC2981 {
    constructor() ERC721("Baseline", "BASE") {}

    function mint(address to, uint256 id, uint96 bps) external {
        _mint(to, id);
        _setTokenRoyalty(id, to, bps);
    }

    function mintBatch(address[] calldata to, uint256[] calldata ids, uint96[] calldata bps) external {
        for (uint256 i = 0; i < to.length; ++i) {
            _mint(to[i], ids[i]);
            _setTokenRoyalty(ids[i], to[i], bps[i]);
        }
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721, ERC2981) returns (bool) {
        return super.supportsInterface(interfaceId);
    }
}
