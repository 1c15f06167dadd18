package io.pgmlsidecar.proxy.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pgmlsidecar.proxy.codec.BackendMessages;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.codec.FrontendType;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.codec.TransactionStatus;
import io.pgmlsidecar.proxy.codec.WireStrings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An authenticated admin console connection: simple Query messages run console commands. The
 * extended protocol gets one 0A000 per batch (discarding until Sync, as PostgreSQL does after an
 * error), so a driver left in its default mode learns what to change and the connection stays usable.
 */
final class ConsoleSession extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ConsoleSession.class);
    private static final int TEXT_OID = 25;

    private final ConsoleCommands commands;
    private final String user;
    private boolean discardingUntilSync;

    ConsoleSession(ConsoleCommands commands, String user) {
        this.commands = commands;
        this.user = user;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            byte type = frame.getByte(frame.readerIndex());
            ByteBuf body = frame.slice(frame.readerIndex() + 5, frame.readableBytes() - 5);
            Channel ch = ctx.channel();
            switch (type) {
                case FrontendType.QUERY -> {
                    String sql = WireStrings.read(body);
                    log.info("admin console: {} ran {}", user, sql.strip());
                    answer(ch, commands.runAll(sql), 0);
                }
                case FrontendType.SYNC -> {
                    discardingUntilSync = false;
                    ch.writeAndFlush(BackendMessages.readyForQuery(ch.alloc(), TransactionStatus.IDLE));
                }
                case FrontendType.TERMINATE -> ch.close();
                case FrontendType.FLUSH -> ch.flush();
                case FrontendType.PARSE, FrontendType.BIND, FrontendType.DESCRIBE, FrontendType.EXECUTE, FrontendType.CLOSE -> {
                    if (!discardingUntilSync) {
                        discardingUntilSync = true;
                        ch.writeAndFlush(BackendMessages.errorResponse(ch.alloc(), PgError.error("0A000",
                                "the admin console speaks only the simple query protocol",
                                "Send each command as a simple Query: psql does; pgjdbc with preferQueryMode=simple.")));
                    }
                }
                default -> {
                    ch.write(BackendMessages.errorResponse(ch.alloc(), PgError.error("0A000",
                            "the admin console does not take message type '" + (char) type + "'",
                            "Send each command as a simple Query.")));
                    ch.writeAndFlush(BackendMessages.readyForQuery(ch.alloc(), TransactionStatus.IDLE));
                }
            }
        } finally {
            frame.release();
        }
    }

    /** Writes the replies from {@code from} on, then ReadyForQuery; a reply not ready yet is retried shortly, the client not read meanwhile. */
    private static void answer(Channel ch, List<ConsoleReply> replies, int from) {
        for (int i = from; i < replies.size(); i++) {
            if (replies.get(i) instanceof ConsoleReply.WhenReady later && !later.ready().getAsBoolean()) {
                if (!ch.isActive()) {
                    return;
                }
                ch.config().setAutoRead(false);
                ch.flush();
                int at = i;
                ch.eventLoop().schedule(() -> answer(ch, replies, at), 20, TimeUnit.MILLISECONDS);
                return;
            }
            write(ch, replies.get(i));
        }
        ch.writeAndFlush(BackendMessages.readyForQuery(ch.alloc(), TransactionStatus.IDLE));
        ch.config().setAutoRead(true);
    }

    private static void write(Channel ch, ConsoleReply reply) {
        switch (reply) {
            case ConsoleReply.WhenReady later -> write(ch, later.reply());
            case ConsoleReply.Rows rows -> {
                List<Column> columns = new ArrayList<>();
                for (String name : rows.table().columns()) {
                    columns.add(Column.computed(name, TEXT_OID, (short) -1));
                }
                ch.write(BackendMessages.rowDescription(ch.alloc(), columns));
                for (List<String> row : rows.table().rows()) {
                    byte[][] values = new byte[row.size()][];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = row.get(i) == null ? null : row.get(i).getBytes(StandardCharsets.UTF_8);
                    }
                    ch.write(BackendMessages.dataRow(ch.alloc(), values));
                }
                ch.write(BackendMessages.commandComplete(ch.alloc(), rows.tag()));
            }
            case ConsoleReply.Done done -> {
                for (String notice : done.notices()) {
                    ch.write(BackendMessages.noticeResponse(ch.alloc(), new PgError("NOTICE", "00000", notice, null, null, 0)));
                }
                ch.write(BackendMessages.commandComplete(ch.alloc(), done.tag()));
            }
            case ConsoleReply.Failed failed -> ch.write(BackendMessages.errorResponse(ch.alloc(), failed.error()));
            case ConsoleReply.Empty empty -> ch.write(BackendMessages.emptyQueryResponse(ch.alloc()));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("admin console connection failed", cause);
        ctx.close();
    }
}
