package io.pgmlsidecar.proxy.admin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.pgmlsidecar.proxy.codec.StartupPacket;
import io.pgmlsidecar.proxy.session.ClientSession;
import io.pgmlsidecar.proxy.session.SessionRegistry;
import java.util.Map;

/**
 * Sends a startup that names the console's database to an {@link AdminHandshake} instead of a
 * relayed session: the connection's pipeline is rebuilt around whole-message framing, keeping TLS
 * and the byte counter in front.
 */
public final class AdminConsoleDoor implements ClientSession.ConsoleDoor {

    private final AdminConsoleSettings settings;
    private final ConsoleCommands commands;
    private final String upstreamHost;
    private final int upstreamPort;

    public AdminConsoleDoor(AdminConsoleSettings settings, ConsoleFacts facts, SessionRegistry sessions,
                            String upstreamHost, int upstreamPort) {
        this.settings = settings;
        this.commands = new ConsoleCommands(sessions, facts);
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
    }

    @Override
    public boolean enter(Channel client, StartupPacket.StartupMessage startup, Map<String, String> parameters) {
        if (!settings.database().equals(parameters.get("database"))) {
            return false;
        }
        int protocolCode = (startup.majorVersion() << 16) | startup.minorVersion();
        startup.raw().release();
        ChannelPipeline p = client.pipeline();
        p.addAfter("decoder", "console-frames", Frames.decoder());
        p.addAfter("console-frames", "console-handshake",
                new AdminHandshake(settings, commands, upstreamHost, upstreamPort, protocolCode, parameters));
        p.remove("session");
        p.remove("decoder"); // hands any bytes it holds to the new framing
        return true;
    }
}
