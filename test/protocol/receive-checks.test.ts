import t from 'tap';
import { checkAdvertForInstance, type InstanceExpectations } from '../../src/protocol/receive-checks.js';
import { authDataFromPassword, type VrrpV2Advert, type VrrpV3Advert } from '../../src/protocol/vrrp-advert.js';

const v2: VrrpV2Advert = {
  version: 2,
  vrid: 51,
  priority: 100,
  adverIntS: 1,
  authType: 1,
  authData: authDataFromPassword('1111'),
  addresses: ['192.0.2.100', '192.0.2.101'],
};
const v2Instance: InstanceExpectations = {
  version: 2,
  vrid: 51,
  authType: 1,
  authData: authDataFromPassword('1111'),
  adverIntS: 1,
  virtualAddresses: ['192.0.2.100', '192.0.2.101'],
};
const v3: VrrpV3Advert = { version: 3, vrid: 7, priority: 100, maxAdverIntCs: 100, addresses: ['2001:db8::1'] };
const v3Instance: InstanceExpectations = { version: 3, vrid: 7, virtualAddresses: ['2001:DB8:0::1'] };

t.test('a matching advert passes', async (t) => {
  t.equal(checkAdvertForInstance(v2, v2Instance), null);
  t.equal(checkAdvertForInstance(v3, v3Instance), null, 'addresses compare in canonical form');
  t.equal(checkAdvertForInstance({ ...v2, addresses: ['192.0.2.101', '192.0.2.100'] }, v2Instance), null, 'order does not matter');
});

t.test('RFC 5798 §7.1 VRID must be configured: vrid-error', async (t) => {
  t.equal(checkAdvertForInstance({ ...v2, vrid: 52 }, v2Instance), 'vrid-error');
});

t.test('RFC 5798 §7.1 version must be the instance version: version-error', async (t) => {
  t.equal(checkAdvertForInstance({ ...v3, vrid: 51, addresses: v2.addresses }, v2Instance), 'version-error');
  t.equal(checkAdvertForInstance({ ...v2, vrid: 7 }, v3Instance), 'version-error');
});

t.test('RFC 3768 §5.3.6 auth type: unknown or unsupported, mismatched', async (t) => {
  t.equal(checkAdvertForInstance({ ...v2, authType: 2 }, v2Instance), 'invalid-auth-type', 'AH is recognised but unsupported');
  t.equal(checkAdvertForInstance({ ...v2, authType: 9 }, v2Instance), 'invalid-auth-type');
  t.equal(checkAdvertForInstance({ ...v2, authType: 0 }, v2Instance), 'auth-type-mismatch');
  t.equal(checkAdvertForInstance(v2, { ...v2Instance, authType: 0, authData: undefined }), 'auth-type-mismatch');
  t.equal(checkAdvertForInstance({ ...v2, authType: 0 }, { ...v2Instance, authType: undefined }), null, 'no auth on either side');
});

t.test('keepalived auth_pass mismatch: auth-failure', async (t) => {
  t.equal(checkAdvertForInstance({ ...v2, authData: authDataFromPassword('2222') }, v2Instance), 'auth-failure');
  t.equal(checkAdvertForInstance({ ...v2, authData: authDataFromPassword('11112') }, v2Instance), 'auth-failure', 'all 8 bytes count');
  t.equal(
    checkAdvertForInstance({ ...v2, authData: authDataFromPassword('123456789') }, { ...v2Instance, authData: authDataFromPassword('12345678') }),
    null,
    'only the first 8 characters are used',
  );
});

t.test('RFC 3768 §7.1 advertisement interval must match (v2 only): advertise-interval-error', async (t) => {
  t.equal(checkAdvertForInstance({ ...v2, adverIntS: 2 }, v2Instance), 'advertise-interval-error');
  t.equal(checkAdvertForInstance({ ...v3, maxAdverIntCs: 5 }, v3Instance), null, 'RFC 9568 §6.4.2: v3 backups learn the interval');
});

t.test('RFC 5798 §7.1 address list mismatch: address-list-error, even from the owner (keepalived)', async (t) => {
  t.equal(checkAdvertForInstance({ ...v2, addresses: ['192.0.2.100'] }, v2Instance), 'address-list-error', 'count differs');
  t.equal(checkAdvertForInstance({ ...v2, addresses: ['192.0.2.100', '192.0.2.102'] }, v2Instance), 'address-list-error', 'a VIP missing');
  t.equal(checkAdvertForInstance({ ...v2, priority: 255, addresses: ['192.0.2.100'] }, v2Instance), 'address-list-error', 'priority 255 too');
  t.equal(checkAdvertForInstance({ ...v3, addresses: [] }, v3Instance), 'address-list-error');
  t.equal(checkAdvertForInstance({ ...v2, addresses: ['192.0.2.100'] }, { ...v2Instance, checkAddresses: false }), null, 'skip_check_adv_addr');
});
