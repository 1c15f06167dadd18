package io.pgmlsidecar.proxy.session;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sidecar's own BackendKeyData: each session gets a process id and a random secret, so a
 * CancelRequest can only reach the session it was issued for, and then its upstream backend.
 */
public final class CancelKeys {

    private record Key(int processId, String secretHex) {}

    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger nextProcessId = new AtomicInteger(1 + new SecureRandom().nextInt(1 << 20));
    private final Map<Key, ClientSession> sessions = new ConcurrentHashMap<>();

    /** Issues a key for {@code session} with a secret as long as the upstream's. */
    IssuedKey issue(ClientSession session, int secretLength) {
        byte[] secret = new byte[Math.max(4, secretLength)];
        random.nextBytes(secret);
        int pid = nextProcessId.getAndIncrement() & 0x7fffffff;
        sessions.put(new Key(pid, hex(secret)), session);
        return new IssuedKey(pid, secret);
    }

    void revoke(IssuedKey key) {
        if (key != null) {
            sessions.remove(new Key(key.processId(), hex(key.secret())));
        }
    }

    ClientSession find(int processId, byte[] secret) {
        return sessions.get(new Key(processId, hex(secret)));
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    record IssuedKey(int processId, byte[] secret) {
        @Override
        public boolean equals(Object o) {
            return o instanceof IssuedKey k && k.processId == processId && Arrays.equals(k.secret, secret);
        }

        @Override
        public int hashCode() {
            return processId * 31 + Arrays.hashCode(secret);
        }
    }
}
