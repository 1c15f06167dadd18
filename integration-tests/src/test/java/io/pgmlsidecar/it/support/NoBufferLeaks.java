package io.pgmlsidecar.it.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code @ExtendWith(NoBufferLeaks.class)}: every network buffer allocated while the test class
 * runs is tracked, and the class fails if one was never released (see {@link BufferLeaks}).
 */
public final class NoBufferLeaks implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoBufferLeaks.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put("leaks", BufferLeaks.track());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try (BufferLeaks leaks = context.getStore(NAMESPACE).remove("leaks", BufferLeaks.class)) {
            assertNone(leaks.collect());
        }
    }

    /** Fails with the first reports when {@code leaked} is not empty. */
    public static void assertNone(List<String> leaked) {
        assertTrue(leaked.isEmpty(), leaked.size() + " buffer leak(s), first:\n"
                + String.join("\n---\n", leaked.stream().limit(3).toList()));
    }
}
