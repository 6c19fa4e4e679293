// Preloaded into CLI child processes (node --import): no name lookup leaves the machine. Names under
// .invalid (RFC 2606: never resolve) fail at once as a resolver would answer them (ENOTFOUND);
// localhost and IP literals go on as usual; any other name fails loudly, naming itself, so that a test
// that would reach out to the network is caught.
import dns from 'node:dns';

const real = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  const done = typeof options === 'function' ? options : callback;
  const name = String(hostname).toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost') || /^[\d.]+$/.test(name) || name.includes(':')) {
    return real.call(this, hostname, options, callback);
  }
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname });
  if (!name.endsWith('.invalid')) {
    error.message = `offline-dns: the test tried to resolve ${hostname}`;
    error.code = 'ETESTNETWORK';
  }
  process.nextTick(() => done(error));
  return {};
};
