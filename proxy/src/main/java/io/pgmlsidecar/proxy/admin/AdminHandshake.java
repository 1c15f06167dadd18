package io.pgmlsidecar.proxy.admin;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.pgmlsidecar.proxy.codec.BackendMessages;
import io.pgmlsidecar.proxy.codec.BackendType;
import io.pgmlsidecar.proxy.codec.FrontendMessages;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.codec.SaslMechanisms;
import io.pgmlsidecar.proxy.codec.TransactionStatus;
import io.pgmlsidecar.proxy.codec.WireStrings;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lets the upstream PostgreSQL decide who reaches the admin console. The client's startup goes
 * upstream with the console's database replaced by a real one; the authentication exchange is
 * relayed both ways (the sidecar never sees a password it could check itself); once PostgreSQL says
 * ReadyForQuery, one query asks whether the authenticated role is a member of the admin role. Then
 * the upstream connection is closed: the console needs no backend. Members get a {@link ConsoleSession},
 * everyone else a FATAL 42501.
 */
final class AdminHandshake extends ChannelInboundHandlerAdapter {

    private enum Step { AUTHENTICATING, CHECKING_ROLE, DONE }

    private final AdminConsoleSettings settings;
    private final ConsoleCommands commands;
    private final String upstreamHost;
    private final int upstreamPort;
    private final int protocolCode;
    private final Map<String, String> parameters;
    private Channel client;
    private Channel backend;
    private Step step = Step.AUTHENTICATING;
    private Boolean member;
    private PgError checkFailed;
    private ScheduledFuture<?> timeout;

    AdminHandshake(AdminConsoleSettings settings, ConsoleCommands commands, String upstreamHost, int upstreamPort,
                   int protocolCode, Map<String, String> parameters) {
        this.settings = settings;
        this.commands = commands;
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.protocolCode = protocolCode;
        this.parameters = parameters;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        client = ctx.channel();
        client.config().setAutoRead(false); // until the upstream is there to take the client's answers
        timeout = client.eventLoop().schedule(() -> refuse(PgError.fatal("08P01",
                "authentication for the admin console did not complete within 60 s", null)), 60, TimeUnit.SECONDS);
        new Bootstrap().group(client.eventLoop())
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Frames.decoder(), new FromUpstream());
                    }
                })
                .connect(upstreamHost, upstreamPort)
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        refuse(PgError.fatal("08006", "could not connect to the upstream PostgreSQL at " + upstreamHost + ":"
                                + upstreamPort + " to authenticate for the admin console: " + f.cause().getMessage(),
                                "The console's users are authenticated by PostgreSQL; check that it is running."));
                        return;
                    }
                    backend = f.channel();
                    backend.writeAndFlush(startupForUpstream(backend));
                    client.config().setAutoRead(true);
                });
    }

    /** The client's startup parameters, with the console's database replaced by the real one. */
    private ByteBuf startupForUpstream(Channel ch) {
        ByteBuf b = ch.alloc().buffer();
        b.writeInt(0);
        b.writeInt(protocolCode);
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            WireStrings.write(b, p.getKey());
            WireStrings.write(b, p.getKey().equals("database") ? settings.authDatabase() : p.getValue());
        }
        b.writeByte(0);
        b.setInt(0, b.writerIndex());
        return b;
    }

    /** Client messages during authentication (password, SASL responses) go upstream as they are. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (step == Step.AUTHENTICATING && backend != null) {
            backend.writeAndFlush(msg);
        } else {
            ReferenceCountUtil.release(msg); // nothing is due from the client while the role is checked
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        refuse(PgError.fatal("08P01", "invalid message during admin console authentication: " + cause.getMessage(), null));
    }

    private void fromUpstream(ByteBuf frame) {
        byte type = frame.getByte(frame.readerIndex());
        if (step == Step.AUTHENTICATING) {
            switch (type) {
                case BackendType.READY_FOR_QUERY -> {
                    frame.release();
                    step = Step.CHECKING_ROLE;
                    backend.writeAndFlush(FrontendMessages.query(backend.alloc(), roleCheck()));
                }
                case BackendType.BACKEND_KEY_DATA -> frame.release(); // a cancel has nothing to stop on the console
                case BackendType.AUTHENTICATION -> client.writeAndFlush(SaslMechanisms.withoutChannelBinding(frame));
                case BackendType.ERROR_RESPONSE -> {
                    // authentication failed: PostgreSQL's own words, then the end
                    client.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
                    finish();
                }
                default -> client.writeAndFlush(frame); // ParameterStatus, NoticeResponse, NegotiateProtocolVersion
            }
            return;
        }
        try {
            switch (type) {
                case BackendType.DATA_ROW -> {
                    byte[][] values = BackendMessages.readDataRow(frame.slice(frame.readerIndex() + 5, frame.readableBytes() - 5));
                    member = values.length == 1 && values[0] != null && values[0][0] == 't';
                }
                case BackendType.ERROR_RESPONSE -> checkFailed = BackendMessages.readErrorFields(
                        frame.slice(frame.readerIndex() + 5, frame.readableBytes() - 5));
                case BackendType.READY_FOR_QUERY -> decide();
                default -> { }
            }
        } finally {
            frame.release();
        }
    }

    private String roleCheck() {
        return "SELECT pg_catalog.pg_has_role(current_user, " + quoteLiteral(settings.adminRole()) + ", 'MEMBER')";
    }

    static String quoteLiteral(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private void decide() {
        String user = parameters.get("user");
        if (checkFailed != null) {
            refuse(PgError.fatal("28000", "the admin console's role \"" + settings.adminRole() + "\" cannot be checked: "
                    + checkFailed.message(), "The operator names an existing upstream role with --admin-role."));
            return;
        }
        if (!Boolean.TRUE.equals(member)) {
            refuse(PgError.fatal("42501", "permission denied for the admin console: role \"" + user + "\" is not a member of \""
                    + settings.adminRole() + "\"", "GRANT " + settings.adminRole() + " TO " + user + " in PostgreSQL gives access."));
            return;
        }
        finish();
        ChannelHandlerContext self = client.pipeline().context(this);
        client.pipeline().addAfter(self.name(), "console", new ConsoleSession(commands, user));
        client.pipeline().remove(this);
        client.writeAndFlush(BackendMessages.readyForQuery(client.alloc(), TransactionStatus.IDLE));
    }

    private void refuse(PgError error) {
        if (client.isActive()) {
            client.writeAndFlush(BackendMessages.errorResponse(client.alloc(), error)).addListener(ChannelFutureListener.CLOSE);
        }
        finish();
    }

    /** The upstream connection is not needed once the role is known (or the client is gone). */
    private void finish() {
        step = Step.DONE;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (backend != null && backend.isActive()) {
            backend.writeAndFlush(terminate(backend)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static ByteBuf terminate(Channel ch) {
        return ch.alloc().buffer(5).writeByte('X').writeInt(4);
    }

    private final class FromUpstream extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (step == Step.DONE) {
                ReferenceCountUtil.release(msg);
                return;
            }
            fromUpstream((ByteBuf) msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (step != Step.DONE) {
                refuse(PgError.fatal("08006", "the upstream PostgreSQL closed the connection during admin console authentication",
                        null));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
