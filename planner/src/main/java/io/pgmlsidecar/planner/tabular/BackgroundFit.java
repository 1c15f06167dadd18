package io.pgmlsidecar.planner.tabular;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A fit running on its own thread while the session's thread does the registry work that does not
 * depend on it (the snapshot's column statistics, the project row), so that work costs no wall
 * time. Only the session's thread writes to the client: the fit's progress messages wait in a
 * queue until {@link #await} relays them as NOTICEs. If the session's side fails, {@link #abandon}
 * stops the fit at its next cancellation check and waits for its thread to end.
 */
final class BackgroundFit<T> {

    private final SessionContext session;
    private final BlockingQueue<String> progress = new LinkedBlockingQueue<>();
    private final AtomicBoolean abandoned = new AtomicBoolean();
    private final CompletableFuture<T> result = new CompletableFuture<>();

    private BackgroundFit(SessionContext session) {
        this.session = session;
    }

    /**
     * Platform threads for fits (a native fit would pin a virtual thread's carrier), kept between fits:
     * a fresh thread's native allocations fault in new memory (a new malloc arena) on every training.
     */
    private static final ExecutorService FITTERS = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("pgml-fit-", 0).factory());

    /** Starts {@code fit} on a fit thread. */
    static <T> BackgroundFit<T> start(SessionContext session, Function<FitContext, T> fit) {
        BackgroundFit<T> bg = new BackgroundFit<>(session);
        FitContext context = new FitContext(e -> bg.progress.add(e.message()),
                () -> bg.abandoned.get() || session.cancelRequested());
        FITTERS.execute(() -> {
            try {
                bg.result.complete(fit.apply(context));
            } catch (Throwable t) {
                bg.result.completeExceptionally(t);
            }
        });
        return bg;
    }

    /** Relays progress as NOTICEs until the fit ends; its result, or its exception as thrown by the fit. */
    T await() {
        while (true) {
            try {
                T value = result.get(50, TimeUnit.MILLISECONDS);
                relayProgress();
                return value;
            } catch (TimeoutException stillRunning) {
                relayProgress();
            } catch (ExecutionException e) {
                relayProgress();
                throw unwrap(e.getCause());
            } catch (InterruptedException e) {
                abandon();
                Thread.currentThread().interrupt();
                throw new PgException("57014", "canceling statement due to user request", null);
            }
        }
    }

    /** Stops the fit and waits until its thread has let go (the fit checks between rounds). */
    void abandon() {
        abandoned.set(true);
        try {
            result.handle((v, t) -> null).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException ignored) {
            // the session's own error is the one the client gets
        }
    }

    private void relayProgress() {
        for (String message = progress.poll(); message != null; message = progress.poll()) {
            TabularActions.notice(session, message);
        }
    }

    private static RuntimeException unwrap(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(cause);
    }
}
