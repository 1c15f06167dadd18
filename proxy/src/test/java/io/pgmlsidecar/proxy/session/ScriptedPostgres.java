package io.pgmlsidecar.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The upstream end of a session's backend connection in the in-process tests: it reads what the
 * sidecar sends PostgreSQL and answers each message with the replies the test scripted for it, in
 * order. Like PostgreSQL it reads a message only once it was flushed to it, and sends its replies
 * when PostgreSQL would flush them: at ReadyForQuery, on Flush, and on entering a copy mode, so a
 * sidecar that forgot to ask for pending replies waits for them as it would on a real server.
 * Every message must be expected, in order: the test asserts the exact requests — except the worker's read of the
 * session's settings (statement_timeout, current_user; {@link SessionSettingsWatch}), which it answers itself as a
 * fresh PostgreSQL session would (no timeout, role {@code tester}) and counts in {@link #settingsReads()}.
 */
final class ScriptedPostgres extends ChannelOutboundHandlerAdapter {

    /** One expected frontend message, what its text must contain, what to answer, and what to do first. */
    private record Step(char type, String contains, byte[] replies, Runnable before, boolean held) {}

    private final Deque<Step> script = new ArrayDeque<>();
    private final List<String> violations = new ArrayList<>();
    private final List<Wire.Msg> received = new ArrayList<>();
    private final ByteArrayOutputStream unread = new ByteArrayOutputStream();
    private final ByteArrayOutputStream outbox = new ByteArrayOutputStream();
    private boolean startupRead;
    private boolean inSettingsRead;
    private int settingsReads;
    private char lastStatus = 'I';
    private ChannelHandlerContext ctx;

    /** Fluent: {@code expect('Q', "select 1").reply(...)}. */
    final class Expectation {
        private final char type;
        private final String contains;
        private Runnable before = () -> { };

        private Expectation(char type, String contains) {
            this.type = type;
            this.contains = contains;
        }

        /** Runs {@code action} when the message arrives, before answering it (a cancel from elsewhere, say). */
        Expectation first(Runnable action) {
            this.before = action;
            return this;
        }

        ScriptedPostgres reply(byte[]... replies) {
            script.add(new Step(type, contains, Wire.concat(replies), before, false));
            return ScriptedPostgres.this;
        }

        /** Replies that stay in PostgreSQL's output buffer until {@link #sendPendingReplies()}: a statement still running. */
        ScriptedPostgres replyLater(byte[]... replies) {
            script.add(new Step(type, contains, Wire.concat(replies), before, true));
            return ScriptedPostgres.this;
        }
    }

    /** The next message is of {@code type} ('0' for the untyped StartupMessage) and its text contains {@code contains}. */
    Expectation expect(char type, String contains) {
        return new Expectation(type, contains);
    }

    Expectation expect(char type) {
        return new Expectation(type, null);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ByteBuf b = (ByteBuf) msg;
        try {
            unread.writeBytes(ByteBufUtil.getBytes(b));
        } finally {
            b.release();
        }
        promise.trySuccess();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        boolean deliver = false;
        for (Wire.Msg m : takeWholeMessages()) {
            if (!ctx.channel().isOpen()) {
                return; // the server went away: what follows is never read
            }
            if (inSettingsRead || isSettingsRead(m)) {
                deliver |= answerSettingsRead(m);
                continue;
            }
            received.add(m);
            deliver |= answer(m);
        }
        if (deliver && outbox.size() > 0) {
            byte[] replies = outbox.toByteArray();
            outbox.reset();
            ctx.fireChannelRead(Unpooled.wrappedBuffer(replies));
            ctx.fireChannelReadComplete();
        }
    }

    /** Sends what is waiting in PostgreSQL's output buffer now, as a server whose buffer filled up would. */
    void sendPendingReplies() {
        if (outbox.size() > 0) {
            byte[] replies = outbox.toByteArray();
            outbox.reset();
            ctx.fireChannelRead(Unpooled.wrappedBuffer(replies));
            ctx.fireChannelReadComplete();
        }
    }

    /** Sends bytes PostgreSQL sends on its own (a NOTIFY, a late reply). */
    void sendUnasked(byte[] bytes) {
        ctx.fireChannelRead(Unpooled.wrappedBuffer(bytes));
        ctx.fireChannelReadComplete();
    }

    private boolean answer(Wire.Msg m) {
        Step step = script.poll();
        if (step == null) {
            violations.add("unexpected " + describe(m) + " (the script is done)");
            return false;
        }
        if (step.type() != m.type() || (step.contains() != null && !bodyText(m).contains(step.contains()))) {
            violations.add("expected '" + step.type() + "'" + (step.contains() == null ? "" : " with \"" + step.contains() + "\"")
                    + " but got " + describe(m));
        }
        step.before().run();
        outbox.writeBytes(step.replies());
        for (Wire.Msg r : Wire.frames(step.replies())) {
            if (r.type() == 'Z' && r.body().length > 0) {
                lastStatus = (char) r.body()[0];
            }
        }
        if (step.held()) {
            return false;
        }
        List<Wire.Msg> replies = Wire.frames(step.replies());
        boolean flushes = m.type() == 'H' || m.type() == 'S' || m.type() == 'Q';
        for (Wire.Msg r : replies) {
            flushes |= r.type() == 'Z' || r.type() == 'G' || r.type() == 'H' || r.type() == 'R';
        }
        return flushes;
    }

    private static boolean isSettingsRead(Wire.Msg m) {
        return m.type() == 'P' && bodyText(m).contains("current_setting('statement_timeout')");
    }

    private boolean answerSettingsRead(Wire.Msg m) {
        switch (m.type()) {
            case 'P' -> {
                inSettingsRead = true;
                settingsReads++;
                outbox.writeBytes(Wire.parseComplete());
            }
            case 'B' -> outbox.writeBytes(Wire.bindComplete());
            case 'D' -> outbox.writeBytes(Wire.textColumns("current_setting", "current_user"));
            case 'E' -> outbox.writeBytes(Wire.concat(Wire.row("0", "tester"), Wire.complete("SELECT 1")));
            case 'S' -> {
                inSettingsRead = false;
                outbox.writeBytes(Wire.ready(io.pgmlsidecar.proxy.codec.TransactionStatus.of((byte) lastStatus)));
                return true;
            }
            case 'H' -> {
                inSettingsRead = false;
                return true;
            }
            default -> violations.add("unexpected " + describe(m) + " inside the settings read");
        }
        return false;
    }

    /** How many times the sidecar read the session's settings. */
    int settingsReads() {
        return settingsReads;
    }

    private List<Wire.Msg> takeWholeMessages() {
        byte[] bytes = unread.toByteArray();
        ByteBuf b = Unpooled.wrappedBuffer(bytes);
        List<Wire.Msg> out = new ArrayList<>();
        if (!startupRead && b.readableBytes() >= 4 && b.readableBytes() >= b.getInt(0)) {
            int length = b.readInt();
            byte[] body = new byte[length - 4];
            b.readBytes(body);
            out.add(new Wire.Msg('0', body));
            startupRead = true;
        }
        while (startupRead && b.readableBytes() >= 5 && b.readableBytes() >= 1 + b.getInt(b.readerIndex() + 1)) {
            char type = (char) b.readByte();
            byte[] body = new byte[b.readInt() - 4];
            b.readBytes(body);
            out.add(new Wire.Msg(type, body));
        }
        unread.reset();
        unread.writeBytes(ByteBufUtil.getBytes(b));
        return out;
    }

    private static String bodyText(Wire.Msg m) {
        return new String(m.body(), StandardCharsets.UTF_8).replace('\0', ' ');
    }

    private static String describe(Wire.Msg m) {
        return "'" + m.type() + "' \"" + bodyText(m).strip() + "\"";
    }

    /** Every frontend message PostgreSQL read so far, in order. */
    List<Wire.Msg> received() {
        return received;
    }

    /** The script was followed to its end. */
    void assertFollowed() {
        if (!violations.isEmpty()) {
            throw new AssertionError("the sidecar's requests differ from the script: " + violations);
        }
        if (!script.isEmpty()) {
            throw new AssertionError("PostgreSQL still waits for " + script.size() + " scripted message(s), first '"
                    + script.peek().type() + "'" + (script.peek().contains() == null ? "" : " \"" + script.peek().contains() + "\""));
        }
    }
}
