package io.pgmlsidecar.proxy;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Polls the event loop's sockets without blocking for a short while before it lets the thread
 * sleep in {@code epoll_wait}.
 *
 * <p>Why: a relayed round trip wakes the sidecar's event loop twice (the client's message, then
 * PostgreSQL's reply). On a lightly loaded host each wake-up is a scheduler round trip of several
 * microseconds, which is most of what a proxy adds to a one-client request/response chain. When the
 * reply is due within the spin window the loop picks it up without having slept; when the loop is
 * idle it blocks after {@code spinNanos}, so an idle sidecar uses no CPU. With many sessions the
 * spinning would take CPU that PostgreSQL and the clients on the same host need (measured: -20 %
 * at 10 pgbench clients on two cores), and an interceptor worker needs the core the spin would
 * hold, so the spin only runs while {@code worthSpinning} says so.
 *
 * <p>Netty signals a loop only when it is about to sleep; work handed to a spinning loop is still
 * seen because the loop re-checks its task queue before it sleeps (a shutdown queues a task too).
 */
final class SpinThenBlockSelectStrategy implements SelectStrategy {

    private final LongSupplier spinNanos;
    private final BooleanSupplier worthSpinning;

    /** @param spinNanos read before each spin, so a reload changes it live */
    SpinThenBlockSelectStrategy(LongSupplier spinNanos, BooleanSupplier worthSpinning) {
        this.spinNanos = spinNanos;
        this.worthSpinning = worthSpinning;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectNow.get();
        }
        if (!worthSpinning.getAsBoolean()) {
            return SelectStrategy.SELECT;
        }
        int ready = selectNow.get();
        if (ready > 0) {
            return ready;
        }
        long deadline = System.nanoTime() + spinNanos.getAsLong();
        while (System.nanoTime() < deadline) {
            Thread.onSpinWait();
            ready = selectNow.get();
            if (ready > 0) {
                return ready;
            }
        }
        return SelectStrategy.SELECT;
    }
}
