package io.pgmlsidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.SelectStrategy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SpinThenBlockSelectStrategyTest {

    private static final long SPIN = 2_000_000; // 2 ms: long enough to see on a loaded machine

    @Test
    void returnsTheReadySocketsFoundWhileSpinning() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        var strategy = new SpinThenBlockSelectStrategy(() -> SPIN, () -> true);
        int result = strategy.calculateStrategy(() -> polls.incrementAndGet() < 5 ? 0 : 3, false);
        assertEquals(3, result);
        assertEquals(5, polls.get());
    }

    @Test
    void sleepsWhenNothingArrivesWithinTheSpin() throws Exception {
        var strategy = new SpinThenBlockSelectStrategy(() -> SPIN, () -> true);
        long t0 = System.nanoTime();
        assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(() -> 0, false));
        assertTrue(System.nanoTime() - t0 >= SPIN, "gave up before the spin time");
    }

    @Test
    void sleepsAtOnceWhenSpinningIsNotWorthIt() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        var strategy = new SpinThenBlockSelectStrategy(() -> SPIN, () -> false);
        assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(polls::incrementAndGet, false));
        assertEquals(0, polls.get());
    }

    @Test
    void pendingTasksPollOnceWithoutSpinning() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        var strategy = new SpinThenBlockSelectStrategy(() -> SPIN, () -> true);
        assertEquals(0, strategy.calculateStrategy(() -> {
            polls.incrementAndGet();
            return 0;
        }, true));
        assertEquals(1, polls.get());
    }
}
