package io.pgmlsidecar.deploy;

import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sidecar logs through SLF4J into java.util.logging, whose levels can change in a running
 * process: {@code log-level} (error, warn, info, debug, trace) sets the root logger, at start and on
 * SIGHUP. One line per event on standard error, with SLF4J's level names as before:
 * {@code [thread] DEBUG logger - message}.
 */
final class LogLevels {

    private LogLevels() {}

    /** Installs the one-line console handler (once, before anything logs) and the level. */
    static void configure(String level) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.ALL); // the loggers decide
        console.setFormatter(new OneLine());
        root.addHandler(console);
        set(level);
    }

    /** Changes the level live; an unknown name is refused with the known ones. */
    static void set(String level) {
        Logger.getLogger("").setLevel(parse(level));
    }

    static Level parse(String level) {
        return switch (level.trim().toLowerCase(Locale.ROOT)) {
            case "error" -> Level.SEVERE;
            case "warn", "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            default -> throw new IllegalArgumentException("unknown log level '" + level + "' (error, warn, info, debug, trace)");
        };
    }

    /** The SLF4J name of a java.util.logging level. */
    static String slf4jName(Level level) {
        int v = level.intValue();
        return v >= Level.SEVERE.intValue() ? "ERROR" : v >= Level.WARNING.intValue() ? "WARN" : v >= Level.INFO.intValue() ? "INFO"
                : v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }

    private static final class OneLine extends java.util.logging.Formatter {
        @Override
        public String format(java.util.logging.LogRecord r) {
            StringBuilder b = new StringBuilder().append('[').append(Thread.currentThread().getName()).append("] ")
                    .append(slf4jName(r.getLevel())).append(' ').append(r.getLoggerName()).append(" - ").append(formatMessage(r));
            if (r.getThrown() != null) {
                java.io.StringWriter trace = new java.io.StringWriter();
                r.getThrown().printStackTrace(new java.io.PrintWriter(trace));
                b.append(System.lineSeparator()).append(trace.toString().stripTrailing());
            }
            return b.append(System.lineSeparator()).toString();
        }
    }
}
