// @ts-check
// Contract scenario 'udp-sendto-recvfrom' (see kit.js for the model).
import { POLLRDNORM, LOOPBACK, checker, must, emptyAddr, text, nameOf, waitFor, udpSocket } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'udp-sendto-recvfrom',
  title: 'UDP sendto / recvfrom',
  rule: 'datagrams carry their sender address, a truncated one too',
  checks: {
    sendto: { call: 'sendto(u1, "dgram", addr of u2)', expect: { ret: 5, wsa: 0 } },
    recvfrom: { call: 'recvfrom(u2) fills the sender', expect: { ret: 5, wsa: 0, data: 'dgram', fromSender: true } },
    truncated: {
      call: 'recvfrom(u2) of 10 bytes into 4 fills the sender',
      expect: { ret: -1, wsa: 10040, data: '0123', fromSender: true },
    },
  },
  async run(w, t) {
    const check = checker(w, t);
    const [u1, u2] = [udpSocket(w), udpSocket(w)];
    const [a1, a2] = [nameOf(w, u1), nameOf(w, u2)];
    /** Check `name`: recvfrom(u2) into `len` bytes once a datagram is there. @param {string} name @param {number} len */
    const receive = async (name, len) => {
      await waitFor(w, u2, POLLRDNORM, 1000);
      const buf = new Uint8Array(len);
      const from = emptyAddr();
      check(
        name,
        () => w.recvfrom(u2, buf, len, 0, from),
        // WSAEMSGSIZE: the datagram was received, cut to `len` bytes.
        (o) => ({
          data: o.ret > 0 ? text(buf, o.ret) : o.wsa === 10040 ? text(buf, len) : undefined,
          fromSender: from.address === LOOPBACK && from.port === a1.port,
        }),
      );
    };
    check('sendto', () => w.sendto(u1, Buffer.from('dgram'), 5, 0, a2));
    await receive('recvfrom', 64);
    must(w.sendto(u1, Buffer.from('0123456789'), 10, 0, a2) === 10, 'sendto 10 bytes');
    await receive('truncated', 4);
    must(w.closesocket(u1) === 0 && w.closesocket(u2) === 0, 'close');
  },
};
