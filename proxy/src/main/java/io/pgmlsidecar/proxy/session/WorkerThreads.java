package io.pgmlsidecar.proxy.session;

/** Starts a session's intercept worker; tests run it on their own thread, at a point they choose. */
@FunctionalInterface
interface WorkerThreads {

    /** Virtual threads: the worker blocks on the backend and on a full client socket. */
    WorkerThreads VIRTUAL = (name, worker) -> Thread.ofVirtual().name(name).start(worker);

    void start(String name, Runnable worker);
}
