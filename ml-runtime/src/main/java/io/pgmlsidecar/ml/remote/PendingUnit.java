package io.pgmlsidecar.ml.remote;

/** Work waiting to be sent: a whole single request, or one distinct input of a batched call. */
abstract sealed class PendingUnit permits PendingUnit.Single, PendingUnit.Input {
    final PendingCall call;
    final long queuedAt = System.nanoTime();
    /** Attempts made so far (written by the request thread, handed over through the scheduler's lock). */
    int attempts;

    PendingUnit(PendingCall call) {
        this.call = call;
    }

    static final class Single extends PendingUnit {
        final EndpointScheduler.Attempt<?> attempt;

        Single(PendingCall call, EndpointScheduler.Attempt<?> attempt) {
            super(call);
            this.attempt = attempt;
        }
    }

    static final class Input extends PendingUnit {
        /** Inputs merge into one request only when their keys are equal. */
        final Object batchKey;
        final EndpointScheduler.BatchSender<?> sender;
        final String text;
        /** Which part of its call this input's result fills. */
        final int part;

        Input(PendingCall call, Object batchKey, EndpointScheduler.BatchSender<?> sender, String text, int part) {
            super(call);
            this.batchKey = batchKey;
            this.sender = sender;
            this.text = text;
            this.part = part;
        }
    }
}
