package io.pgmlsidecar.proxy.admin;

/**
 * What the admin console shows and does beyond the proxy's own sessions: the launcher implements it
 * from the metrics, the model caches and the configuration, so the proxy stays ignorant of ML.
 * Called on the console session's event loop: implementations must answer quickly.
 */
public interface ConsoleFacts {

    /** SHOW STATS: statement counts and times, bytes. */
    ConsoleTable stats();

    /** SHOW MODELS: loaded models, their device, memory and calls. */
    ConsoleTable models();

    /** SHOW BATCHES: batch sizes in effect and the batches calls were served in. */
    ConsoleTable batches();

    /** SHOW CONFIG: every setting, its value, default and whether it changes live. */
    ConsoleTable config();

    /** RELOAD: re-read the configuration as SIGHUP does; returns what changed, one line per setting. */
    java.util.List<String> reload();

    /** SHUTDOWN: begin the graceful shutdown (as SIGTERM), without waiting for it. */
    void shutdown();
}
