// A real OpenID provider on loopback for the OAuth tests: the certified `oidc-provider` package
// (pinned in scripts/tools.lock, installed by scripts/tools-setup into .tools/oidc-provider).
//
// Run with Node 22: `node tests/oauth/provider.mjs`. It starts two issuers on free loopback ports,
// sharing their signing keys (so a token of the second is well signed but has the wrong `iss`), and
// prints one JSON line: {"issuer": ..., "other_issuer": ...}. It serves until stdin closes.
//
// Clients (client_secret_basic, secret = "<id>-secret"), JWT access tokens for any resource indicator:
//   reader (hireflix:read), writer (hireflix:read hireflix:write), admin (all three), nobody (openid only):
//     client_credentials; tokens carry the person's e-mail and name.
//   desktop: a public client (PKCE, no secret) for the authorization-code flow, redirect http://127.0.0.1/callback;
//     the development login form accepts any login name, which becomes `sub`.
//   Dynamic client registration is open, for MCP clients that register themselves.
// Test controls on the first issuer (loopback only, never in a real provider):
//   POST /test/rotate         publish a new signing key and sign with it from now on
//   POST /test/rotate?back=1  sign with the first key again (the others stay published)
//   POST /test/clock?offset=S shift this process's clock by S seconds (tokens issued in the past)
//   GET  /test/stats          {"jwks": number of JWKS documents served}
import { generateKeyPair, generateKeyPairSync } from 'node:crypto';
import { promisify } from 'node:util';
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The first key is RSA (RS256, what most providers sign with), made while the package loads; keys rotated in
// later are P-256 (ES256), quick to make, so a rotation also brings a second algorithm.
const rsa = promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
// The package lives outside the source tree (.tools/oidc-provider, or OIDC_PROVIDER_DIR).
const home = process.env.OIDC_PROVIDER_DIR ?? join(import.meta.dirname, '../../.tools/oidc-provider');
const entry = join(home, 'node_modules/oidc-provider/lib/index.js');
const { default: Provider, errors } = await import(pathToFileURL(entry).href);

const SCOPES = ['openid', 'offline_access', 'hireflix:read', 'hireflix:write', 'hireflix:admin'];
const PEOPLE = {
  reader: { email: 'rita.reader@example.com', name: 'Rita Reader', scope: 'hireflix:read' },
  writer: { email: 'will.writer@example.com', name: 'Will Writer', scope: 'hireflix:read hireflix:write' },
  admin: { email: 'ada.admin@example.com', name: 'Ada Admin', scope: 'hireflix:read hireflix:write hireflix:admin' },
  nobody: { email: 'no.body@example.com', name: 'No Body', scope: 'openid' },
};

function jwk(privateKey, kid, alg) {
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

const keys = [
  jwk((await rsa).privateKey, 'key-1', 'RS256'),
  ...['key-2', 'key-3', 'key-4'].map((kid) => jwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, kid, 'ES256')),
];
const state = { current: 0, published: 1, jwksServed: 0, offset: 0 };
const realNow = Date.now;
Date.now = () => realNow() + state.offset * 1000;

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

function configuration() {
  return {
    clients: [
      ...Object.entries(PEOPLE).map(([id, person]) => ({
        client_id: id,
        client_secret: `${id}-secret`,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: person.scope,
      })),
      {
        client_id: 'desktop',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
        scope: SCOPES.join(' '),
      },
    ],
    jwks: { keys },
    scopes: SCOPES,
    claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
    features: {
      clientCredentials: { enabled: true },
      registration: { enabled: true }, // dynamic client registration, as MCP clients such as Claude use
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => (oneOf ? oneOf[0] : undefined),
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (!/^https?:\/\//.test(resource)) throw new errors.InvalidTarget();
          return {
            scope: 'hireflix:read hireflix:write hireflix:admin',
            audience: resource,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: keys[state.current].alg, kid: keys[state.current].kid } },
          };
        },
      },
    },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, email: `${id}@example.com` }) }),
    extraTokenClaims: (_ctx, token) => {
      if (token.accountId) return { email: `${token.accountId}@example.com`, name: token.accountId };
      const person = PEOPLE[token.clientId];
      return person ? { email: person.email, name: person.name } : undefined;
    },
    pkce: { required: () => true },
  };
}

async function start(controls) {
  const server = http.createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration());
  provider.use(async (ctx, next) => {
    if (controls && ctx.path.startsWith('/test/')) {
      if (ctx.method === 'POST' && ctx.path === '/test/rotate' && ctx.query.back) {
        state.current = 0;
      } else if (ctx.method === 'POST' && ctx.path === '/test/rotate') {
        state.current += 1;
        state.published = Math.max(state.published, state.current + 1);
      } else if (ctx.method === 'POST' && ctx.path === '/test/clock') {
        state.offset = Number(ctx.query.offset ?? 0);
      } else if (ctx.path !== '/test/stats') {
        ctx.throw(404);
      }
      ctx.body = { jwks: state.jwksServed, kid: keys[state.current].kid, offset: state.offset };
      return;
    }
    await next();
    if (ctx.path === '/jwks' && ctx.status === 200) {
      // Only the keys "published so far": a key rotated in later is unknown until the JWKS is fetched again.
      const published = new Set(keys.slice(0, state.published).map((key) => key.kid));
      ctx.body = { keys: ctx.body.keys.filter((key) => published.has(key.kid)) };
      if (controls) state.jwksServed += 1;
    }
  });
  server.on('request', provider.callback());
  return issuer;
}

const issuer = await start(true);
const otherIssuer = await start(false);
process.stdout.write(`${JSON.stringify({ issuer, other_issuer: otherIssuer })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
