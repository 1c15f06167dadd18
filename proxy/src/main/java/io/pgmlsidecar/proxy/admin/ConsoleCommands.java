package io.pgmlsidecar.proxy.admin;

import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.session.SessionRegistry;
import io.pgmlsidecar.proxy.session.SessionSnapshot;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The admin console's commands, PgBouncer's names where it has them. */
final class ConsoleCommands {

    private static final String COMMANDS = "SHOW HELP|CLIENTS|SERVERS|STATS|MODELS|BATCHES|CONFIG, RELOAD, PAUSE, RESUME, SHUTDOWN";

    private final SessionRegistry sessions;
    private final ConsoleFacts facts;

    ConsoleCommands(SessionRegistry sessions, ConsoleFacts facts) {
        this.sessions = sessions;
        this.facts = facts;
    }

    /** Runs each command of a simple Query's text (separated by ';'); an error stops the rest, as in PostgreSQL. */
    List<ConsoleReply> runAll(String queryText) {
        List<ConsoleReply> replies = new ArrayList<>();
        for (String part : queryText.split(";")) {
            String command = part.strip();
            if (command.isEmpty()) {
                continue;
            }
            ConsoleReply reply = run(command);
            replies.add(reply);
            if (reply instanceof ConsoleReply.Failed) {
                break;
            }
        }
        if (replies.isEmpty()) {
            replies.add(new ConsoleReply.Empty());
        }
        return replies;
    }

    ConsoleReply run(String command) {
        String[] words = command.split("\\s+");
        String verb = words[0].toUpperCase(Locale.ROOT);
        try {
            return switch (verb) {
                case "SHOW" -> words.length == 2 ? show(words[1].toUpperCase(Locale.ROOT))
                        : syntaxError("SHOW takes one item", command);
                case "SET" -> new ConsoleReply.Done("SET"); // drivers set options on connect; the console has none
                case "RELOAD", "PAUSE", "RESUME", "SHUTDOWN" -> words.length == 1 ? action(verb)
                        : syntaxError(verb + " takes no arguments: the sidecar has one upstream database", command);
                default -> syntaxError("unknown admin console command \"" + words[0] + "\"", command);
            };
        } catch (RuntimeException e) {
            return new ConsoleReply.Failed(PgError.error("XX000", "the admin console could not run " + verb + ": " + e,
                    "The sidecar's log may have more."));
        }
    }

    private ConsoleReply show(String item) {
        ConsoleTable table = switch (item) {
            case "HELP" -> help();
            case "CLIENTS" -> clients();
            case "SERVERS" -> servers();
            case "STATS" -> facts.stats();
            case "MODELS" -> facts.models();
            case "BATCHES" -> facts.batches();
            case "CONFIG" -> facts.config();
            default -> null;
        };
        if (table == null) {
            return new ConsoleReply.Failed(PgError.error("0A000", "the admin console has no SHOW " + item,
                    "It has: " + COMMANDS + "."));
        }
        return new ConsoleReply.Rows(table, "SHOW");
    }

    private ConsoleReply action(String verb) {
        switch (verb) {
            case "RELOAD" -> {
                return new ConsoleReply.Done("RELOAD", facts.reload());
            }
            case "PAUSE" -> {
                sessions.setPaused(true);
                // answers once no session is inside a statement or transaction (or a RESUME came first)
                return new ConsoleReply.WhenReady(() -> sessions.quiet() || !sessions.paused(), new ConsoleReply.Done(verb));
            }
            case "RESUME" -> sessions.setPaused(false);
            default -> facts.shutdown();
        }
        return new ConsoleReply.Done(verb);
    }

    private static ConsoleReply syntaxError(String message, String command) {
        return new ConsoleReply.Failed(PgError.error("42601", message + ": " + command,
                "SHOW HELP lists the commands: " + COMMANDS + "."));
    }

    private static ConsoleTable help() {
        return ConsoleTable.of("command", "description")
                .row("SHOW HELP", "this list")
                .row("SHOW CLIENTS", "client sessions: user, database, state, address, TLS, application")
                .row("SHOW SERVERS", "the upstream connection of each session")
                .row("SHOW STATS", "statements relayed and served, their time, errors, bytes")
                .row("SHOW MODELS", "loaded models: cache, device, memory, calls")
                .row("SHOW BATCHES", "batch sizes in effect and the batches calls ran in")
                .row("SHOW CONFIG", "settings: value, default, whether RELOAD changes it live")
                .row("RELOAD", "read the configuration again (as SIGHUP)")
                .row("PAUSE", "hold every session once its transaction ends; answers when none is in one; new sessions wait after login")
                .row("RESUME", "let paused sessions go on")
                .row("SHUTDOWN", "graceful shutdown (as SIGTERM)")
                .build();
    }

    private ConsoleTable clients() {
        ConsoleTable.Builder t = ConsoleTable.of("type", "user", "database", "state", "addr", "port", "local_addr", "local_port",
                "connect_time", "tls", "application_name", "id");
        for (SessionSnapshot s : sessions.snapshot().stream().map(c -> c.snapshot()).toList()) {
            t.row("C", s.user(), s.database(), s.state(), host(s.client()), port(s.client()), host(s.local()), port(s.local()),
                    s.connectTime(), s.tls(), s.applicationName(), s.id());
        }
        return t.build();
    }

    private ConsoleTable servers() {
        ConsoleTable.Builder t = ConsoleTable.of("type", "user", "database", "state", "addr", "port", "local_addr", "local_port",
                "connect_time", "link", "application_name");
        for (SessionSnapshot s : sessions.snapshot().stream().map(c -> c.snapshot()).toList()) {
            if (s.backend() != null) {
                t.row("S", s.user(), s.database(), s.state(), host(s.backend()), port(s.backend()), host(s.backendLocal()),
                        port(s.backendLocal()), s.connectTime(), s.id(), s.applicationName());
            }
        }
        return t.build();
    }

    private static String host(InetSocketAddress a) {
        return a == null ? null : a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    }

    private static Integer port(InetSocketAddress a) {
        return a == null ? null : a.getPort();
    }
}
