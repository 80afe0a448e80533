// Compiles the Solidity contracts with the pinned solcjs (standard JSON) and
// writes one artifact per contract into OUTDIR:
//   NAME.json  abi, bytecode, deployedBytecode, method identifiers, compiler
//              version and the full settings
//   NAME.bin   creation bytecode, one line of hex without 0x
// Usage: node tools/compile-contracts.js OUTDIR   (run from the repository root)
// Paths handed to the compiler are relative to the repository root, so the
// output (including the metadata hash in the bytecode) does not depend on
// where the checkout lives; the same sources always give the same bytes.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const SOURCES = [
  'contracts/HaechiNFT.sol',
  'contracts/bench/OZBatchMint.sol',
  'contracts/bench/OZBatchMintRoyalty.sol',
];
const CONTRACTS = {
  HaechiNFT: 'contracts/HaechiNFT.sol',
  OZBatchMint: 'contracts/bench/OZBatchMint.sol',
  OZBatchMintRoyalty: 'contracts/bench/OZBatchMintRoyalty.sol',
};
const SETTINGS = {
  remappings: [
    '@openzeppelin/=node_modules/@openzeppelin/',
    'solady/=node_modules/solady/src/',
  ],
  optimizer: { enabled: true, runs: 10000 },
  evmVersion: 'cancun',
  viaIR: false,
  metadata: { bytecodeHash: 'ipfs', appendCBOR: true },
  outputSelection: {
    '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.methodIdentifiers', 'storageLayout'] },
  },
};

function fail(msg) {
  process.stderr.write(`compile-contracts: ${msg}\n`);
  process.exit(1);
}

const outDir = process.argv[2];
if (!outDir) fail('usage: node tools/compile-contracts.js OUTDIR');

// Only plain relative paths inside the repository are read.
function readSource(p) {
  if (path.isAbsolute(p) || p.split('/').includes('..')) return { error: `refusing path ${p}` };
  try {
    return { contents: fs.readFileSync(p, 'utf8') };
  } catch (e) {
    return { error: `cannot read ${p}: ${e.code || e.message}` };
  }
}

const sources = {};
for (const s of SOURCES) {
  const r = readSource(s);
  if (r.error) fail(r.error);
  sources[s] = { content: r.contents };
}
const input = { language: 'Solidity', sources, settings: SETTINGS };
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: readSource }));

let failed = false;
for (const e of output.errors || []) {
  process.stderr.write(e.formattedMessage || e.message);
  if (e.severity === 'error') failed = true;
}
if (failed) fail('compilation failed');

fs.mkdirSync(outDir, { recursive: true });
const compiler = { name: 'solc', version: solc.version() };
for (const [name, source] of Object.entries(CONTRACTS)) {
  const c = output.contracts[source] && output.contracts[source][name];
  if (!c) fail(`no output for ${source}:${name}`);
  const bytecode = c.evm.bytecode.object;
  if (!/^[0-9a-f]+$/.test(bytecode)) fail(`${name}: bytecode is not plain hex (unlinked library?)`);
  const artifact = {
    contractName: name,
    sourceName: source,
    compiler,
    settings: SETTINGS,
    abi: c.abi,
    methodIdentifiers: c.evm.methodIdentifiers,
    storageLayout: c.storageLayout,
    bytecode: '0x' + bytecode,
    deployedBytecode: '0x' + c.evm.deployedBytecode.object,
  };
  fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(artifact, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, `${name}.bin`), bytecode + '\n');
  process.stdout.write(`${name}: ${bytecode.length / 2} bytes creation, ` +
    `${c.evm.deployedBytecode.object.length / 2} bytes runtime\n`);
}
