module.exports = { default: globalThis.crypto };
