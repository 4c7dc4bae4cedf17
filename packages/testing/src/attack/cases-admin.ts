import { type Attack, attack, get, REFUSED_BY_NODE, refused } from './attack.js';
import { ATTACK_ADMIN_TOKEN, ATTACK_BODY_TIMEOUT_MS, BROKEN_DATABASE_ERROR } from './fixture.js';
import { rawRequest } from './raw-client.js';

const bearer = ['Authorization', `Bearer ${ATTACK_ADMIN_TOKEN}`] as const;
const admin = (host: string, path: string, more: ReadonlyArray<readonly [string, string]> = []) =>
  get(host, path, [bearer, ...more]);
/** The admin API did not answer: an app route or the framework's 404, with no domain listing in it. */
const notTheAdminApi = { status: 404, code: null, excludes: ['initech', 'loopback'] } as const;
/** A POST on a kept-alive connection: if it is closed after the answer, the server chose to close it. */
const post = (headers: ReadonlyArray<readonly [string, string]>, body = '') =>
  rawRequest({
    method: 'POST',
    target: '/_md/domains',
    host: 'platform.test',
    headers: [...headers, ['Connection', 'keep-alive']],
    body,
  });
/** A body that never comes is answered within the timeout (and a margin for a loaded machine), and the connection closed. */
const timedOut = { ...refused('REQUEST_TIMEOUT', 408), within: ATTACK_BODY_TIMEOUT_MS + 2000, closed: true };
const leaks = [BROKEN_DATABASE_ERROR, 'ECONNREFUSED', 'broken_owner', 'db-7'];

/** The admin API answers under its own prefix, on root hosts only, token first; public health says nothing more than ok. */
export const ADMIN_ATTACKS: Attack[] = [
  attack(
    'the admin prefix on a tenant’s host, with the token',
    admin('acme.example', '/_md/domains'),
    notTheAdminApi,
  ),
  attack(
    'the admin prefix on a tenant’s host, without a token',
    get('acme.example', '/_md/domains'),
    notTheAdminApi,
  ),
  attack(
    'the admin API through path mode',
    admin('platform.test', '/stores/acme/_md/domains'),
    notTheAdminApi,
  ),
  attack('the admin health through path mode', admin('platform.test', '/stores/acme/_md/health'), {
    ...notTheAdminApi,
    excludes: leaks,
  }),
  attack('the admin prefix on a subdomain', admin('initech.platform.test', '/_md/domains'), notTheAdminApi),
  attack(
    'the admin prefix on an unknown host',
    admin('nobody.example', '/_md/domains'),
    refused('DOMAIN_NOT_FOUND', 404),
  ),
  attack(
    'the admin prefix behind an untrusted X-Forwarded-Host',
    admin('acme.example', '/_md/domains', [['X-Forwarded-Host', 'platform.test']]),
    notTheAdminApi,
  ),
  attack('no token', get('platform.test', '/_md/domains'), refused('UNAUTHORIZED', 401)),
  attack(
    'a wrong token',
    get('platform.test', '/_md/domains', [['Authorization', 'Bearer wrong-token-0123456789abc']]),
    refused('UNAUTHORIZED', 401),
  ),
  attack(
    'a lower-case scheme',
    get('platform.test', '/_md/domains', [['Authorization', `bearer ${ATTACK_ADMIN_TOKEN}`]]),
    refused('UNAUTHORIZED', 401),
  ),
  attack(
    'the token as Basic credentials',
    get('platform.test', '/_md/domains', [['Authorization', `Basic ${ATTACK_ADMIN_TOKEN}`]]),
    refused('UNAUTHORIZED', 401),
  ),
  attack(
    'the token in the query',
    get('platform.test', `/_md/domains?token=${ATTACK_ADMIN_TOKEN}`),
    refused('UNAUTHORIZED', 401),
  ),
  attack(
    'a wrong token first, the right one second',
    get('platform.test', '/_md/domains', [['Authorization', 'Bearer wrong-token-0123456789abc'], bearer]),
    refused('UNAUTHORIZED', 401),
  ),
  attack(
    'a token one character longer',
    get('platform.test', '/_md/domains', [['Authorization', `Bearer ${ATTACK_ADMIN_TOKEN}x`]]),
    refused('UNAUTHORIZED', 401),
  ),
  attack(
    'bad percent-encoding in an admin path',
    admin('platform.test', '/_md/health/%ff'),
    refused('INVALID_PATH'),
  ),
  attack(
    'malformed percent-encoding in an admin path',
    admin('platform.test', '/_md/health/%zz'),
    refused('INVALID_PATH'),
  ),
  attack(
    'an encoded ".." in an admin path',
    admin('platform.test', '/_md/%2e%2e/domains'),
    refused('INVALID_PATH'),
  ),
  attack(
    'an encoded slash in an admin path',
    admin('platform.test', '/_md/domains%2f'),
    refused('INVALID_PATH'),
  ),
  attack(
    'bad percent-encoding without a token is still a 400',
    get('platform.test', '/_md/health/%ff'),
    refused('INVALID_PATH'),
  ),
  attack(
    'the prefix spelled with an encoded "_" is still behind the token',
    get('platform.test', '/%5fmd/domains'),
    refused('UNAUTHORIZED', 401),
  ),
  attack('the prefix spelled with an encoded "_" and the token', admin('platform.test', '/%5Fmd/domains'), {
    status: 200,
    includes: ['initech'],
  }),
  attack(
    'the prefix in upper case is not the admin API',
    admin('platform.test', '/_MD/domains'),
    notTheAdminApi,
  ),
  attack('a longer prefix is not the admin API', admin('platform.test', '/_mdx/domains'), notTheAdminApi),
  attack('the bare prefix with the token', admin('platform.test', '/_md'), refused('ROUTE_NOT_FOUND', 404)),
  attack(
    'an unknown admin route without a token answers 401, not 404',
    get('platform.test', '/_md/secret-route'),
    refused('UNAUTHORIZED', 401),
  ),
  attack('another spelling of the root host', admin('PLATFORM.TEST.:8080', '/_md/domains'), {
    status: 200,
    includes: ['initech'],
  }),
  attack(
    'two Host headers on the admin API',
    admin('platform.test', '/_md/domains', [['Host', 'platform.test']]),
    refused('INVALID_HOST'),
  ),
  attack(
    'an absolute-form admin target with a tenant Host',
    admin('acme.example', 'http://platform.test/_md/domains'),
    refused('INVALID_HOST'),
  ),
  attack(
    'a tenant absolute-form target with the root host as Host',
    admin('platform.test', 'http://acme.example/_md/domains'),
    refused('INVALID_HOST'),
  ),
  // The token is checked from the headers before any body is read.
  attack(
    'a wrong token with a 1 MB body announced and 10 bytes sent',
    post(
      [
        ['Authorization', 'Bearer wrong-token-0123456789abc'],
        ['Content-Length', '1000000'],
      ],
      '{"name":"a',
    ),
    {
      ...refused('UNAUTHORIZED', 401),
      within: ATTACK_BODY_TIMEOUT_MS,
      closed: true,
    },
  ),
  attack('no token with a body announced and never sent', post([['Content-Length', '100']]), {
    ...refused('UNAUTHORIZED', 401),
    within: ATTACK_BODY_TIMEOUT_MS,
    closed: true,
  }),
  attack(
    'the token with a body announced and never sent',
    post([bearer, ['Content-Length', '100']]),
    timedOut,
  ),
  attack('the token with half a body sent', post([bearer, ['Content-Length', '10']], '{"na'), timedOut),
  attack(
    'the token with a chunked body that stops',
    post([bearer, ['Transfer-Encoding', 'chunked']], '4\r\n{"na\r\n'),
    timedOut,
  ),
  attack('the token with a 2 MB body announced', post([bearer, ['Content-Length', '2000000']]), {
    ...refused('PAYLOAD_TOO_LARGE', 413),
    within: ATTACK_BODY_TIMEOUT_MS,
  }),
  attack(
    'the token with a body that is not JSON',
    post([bearer, ['Content-Length', '8']], 'not json'),
    refused('INVALID_REQUEST'),
  ),
  attack(
    'Content-Length and Transfer-Encoding together',
    post([bearer, ['Content-Length', '4'], ['Transfer-Encoding', 'chunked']], '0\r\n\r\n'),
    REFUSED_BY_NODE,
  ),
  attack(
    'two different Content-Length headers',
    post([bearer, ['Content-Length', '2'], ['Content-Length', '3']], '{}'),
    REFUSED_BY_NODE,
  ),
  // Health: the public per-domain path says only ok or unavailable; details are behind the token.
  attack('public health of a domain whose data is down', get('broken.example', '/health'), {
    status: 503,
    code: null,
    includes: ['unavailable'],
    excludes: leaks,
  }),
  attack('public health of a domain whose data answers', get('acme.example', '/health'), {
    status: 200,
    includes: ['"status":"ok"'],
  }),
  attack('public health in path mode', get('platform.test', '/stores/broken/health'), {
    status: 503,
    includes: ['unavailable'],
    excludes: leaks,
  }),
  attack('public health on a subdomain', get('broken.platform.test', '/health'), {
    status: 503,
    includes: ['unavailable'],
    excludes: leaks,
  }),
  attack('public health of a suspended domain (allowed)', get('frozen.example', '/health'), {
    status: 200,
    includes: ['"status":"ok"'],
  }),
  attack(
    'the admin health of one domain gives the operator the details',
    admin('platform.test', '/_md/health/broken'),
    { status: 503, includes: ['ECONNREFUSED', 'db-7.internal'] },
  ),
  attack('the admin health of every domain, without a token', get('platform.test', '/_md/health'), {
    ...refused('UNAUTHORIZED', 401),
    excludes: leaks,
  }),
];
