// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @notice Gas baseline (tools/bench/gas), not deployed anywhere: OpenZeppelin's
/// plain ERC721 minting with _mint, no royalty, no access control.
contract OZBatchMint is ERC721 {
    constructor() ERC721("Baseline", "BASE") {}

    function mint(address to, uint256 id) external {
        _mint(to, id);
    }

    function mintBatch(address[] calldata to, uint256[] calldata ids) external {
        for (uint256 i = 0; i < to.length; ++i) {
            _mint(to[i], ids[i]);
        }
    }
}
