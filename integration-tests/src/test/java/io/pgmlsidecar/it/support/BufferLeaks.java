package io.pgmlsidecar.it.support;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects Netty's reports of buffers that were garbage-collected without being released, while
 * it is open: every buffer allocated meanwhile is tracked (PARANOID level), so a leak in the code
 * under test is found, not just sampled. Netty only logs leaks; this turns them into a test
 * failure. Netty keeps its buffer detector in a package-private static field, read here by
 * reflection (test code only).
 */
public final class BufferLeaks implements AutoCloseable {

    private final ResourceLeakDetector<?> detector;
    private final ResourceLeakDetector.Level previousLevel;
    private final List<String> reports = new CopyOnWriteArrayList<>();

    private BufferLeaks() {
        this.detector = bufferDetector();
        this.previousLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        detector.setLeakListener((type, records) -> reports.add(type + ": " + records));
    }

    /** Starts tracking every buffer allocated from now on. */
    public static BufferLeaks track() {
        return new BufferLeaks();
    }

    /**
     * Collects garbage until unreleased buffers allocated while tracking have been found (Netty
     * looks for them whenever a buffer is allocated) and returns the reports, first lines only.
     */
    public List<String> collect() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            // an allocation makes the detector drain its queue of collected, unreleased buffers
            ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(16);
            probe.release();
        }
        return reports.stream().map(r -> String.join("\n", r.lines().limit(12).toList())).toList();
    }

    @Override
    public void close() {
        detector.setLeakListener(null);
        ResourceLeakDetector.setLevel(previousLevel);
    }

    private static ResourceLeakDetector<?> bufferDetector() {
        try {
            Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
            f.setAccessible(true);
            return (ResourceLeakDetector<?>) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Netty's buffer leak detector moved: " + e, e);
        }
    }
}
