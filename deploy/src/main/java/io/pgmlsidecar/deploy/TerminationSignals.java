package io.pgmlsidecar.deploy;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT run a graceful stop and the process then exits 0, as orchestrators expect;
 * a JVM shutdown hook alone would exit 143. SIGHUP reloads the settings.
 */
final class TerminationSignals {
    private TerminationSignals() {}

    static void onTerminate(Runnable stop) {
        Runnable once = new Runnable() {
            private boolean started;

            @Override
            public synchronized void run() {
                if (!started) {
                    started = true;
                    Thread.ofPlatform().name("pgml-sidecar-shutdown").start(stop);
                }
            }
        };
        Signal.handle(new Signal("TERM"), s -> once.run());
        Signal.handle(new Signal("INT"), s -> once.run());
    }

    /**
     * SIGHUP runs {@code reload} on a thread of its own (a signal handler must return at once). False
     * when SIGHUP was ignored at exec (nohup): HotSpot then installs no handler and keeps it ignored —
     * asking again, or for SIG_DFL first, still answers SIG_IGN — so {@code kill -HUP} does nothing.
     */
    static boolean onReload(Runnable reload) {
        SignalHandler previous = Signal.handle(new Signal("HUP"), s -> Thread.ofPlatform().name("pgml-sidecar-reload").start(reload));
        return previous != SignalHandler.SIG_IGN;
    }
}
