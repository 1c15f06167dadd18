package io.pgmlsidecar.proxy.session;

import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * One session as the admin console shows it (SHOW CLIENTS, SHOW SERVERS). Read off the session from
 * another thread without a lock: a monitoring view, exact at best to the message.
 *
 * @param state {@code active} while a statement runs, {@code idle} or {@code idle in transaction} between them,
 *     {@code login} while authenticating, {@code paused} when PAUSE holds it between statements
 * @param backend the upstream connection's remote address, null before it is connected
 * @param backendLocal the upstream connection's local address, null before it is connected
 */
public record SessionSnapshot(String id, String user, String database, String applicationName, String state,
                              InetSocketAddress client, InetSocketAddress local, boolean tls, Instant connectTime,
                              InetSocketAddress backend, InetSocketAddress backendLocal) {
}
