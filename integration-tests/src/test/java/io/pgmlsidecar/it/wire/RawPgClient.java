package io.pgmlsidecar.it.wire;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A PostgreSQL protocol client on a plain socket, with hand-encoded frontend messages and raw
 * backend messages: what the byte-parity, fuzz and startup tests talk through. Every read waits
 * at most {@link #timeoutMillis}; a reply that does not come is a {@link SocketTimeoutException}.
 */
public final class RawPgClient implements Closeable {

    public static final int SSL_REQUEST_CODE = 80877103;
    public static final int GSSENC_REQUEST_CODE = 80877104;
    public static final int CANCEL_REQUEST_CODE = 80877102;
    public static final int PROTOCOL_3_0 = 196608;

    private final Socket socket;
    private InputStream in;
    private OutputStream out;
    private final int timeoutMillis;

    private RawPgClient(Socket socket, int timeoutMillis) throws IOException {
        this.socket = socket;
        this.timeoutMillis = timeoutMillis;
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static RawPgClient connect(int port) throws IOException {
        return connect(port, 5000);
    }

    public static RawPgClient connect(int port, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
        return new RawPgClient(s, timeoutMillis);
    }

    /** Speaks over an already connected socket (closing the client closes it). */
    public static RawPgClient wrap(Socket s, int timeoutMillis) throws IOException {
        return new RawPgClient(s, timeoutMillis);
    }

    public Socket socket() {
        return socket;
    }

    /** Continues on other streams over the same connection (e.g. after a TLS handshake). */
    public void replaceStreams(InputStream newIn, OutputStream newOut) {
        this.in = newIn;
        this.out = newOut;
    }

    // ------------------------------------------------------------------ sending

    public RawPgClient send(byte[]... messages) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            all.writeBytes(m);
        }
        out.write(all.toByteArray());
        out.flush();
        return this;
    }

    /** Sends a StartupMessage for protocol 3.0 with {@code user} and {@code database}. */
    public RawPgClient startup(String user, String database) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("user", user);
        p.put("database", database);
        return send(startupMessage(p));
    }

    /** Startup as a trusted user, read up to the first ReadyForQuery (which must come). */
    public List<BackendMessage> startupAndWaitReady(String user, String database) throws IOException {
        startup(user, database);
        List<BackendMessage> reply = readUntil('Z');
        BackendMessage last = reply.get(reply.size() - 1);
        if (last.type() != 'Z') {
            throw new IOException("startup did not end with ReadyForQuery: " + render(reply));
        }
        return reply;
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    // ------------------------------------------------------------------ encoders

    public static byte[] startupMessage(Map<String, String> params) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeInt(body, PROTOCOL_3_0);
        params.forEach((k, v) -> {
            cstring(body, k);
            cstring(body, v);
        });
        body.write(0);
        return untyped(body.toByteArray());
    }

    public static byte[] sslRequest() {
        return untyped(intBytes(SSL_REQUEST_CODE));
    }

    public static byte[] gssEncRequest() {
        return untyped(intBytes(GSSENC_REQUEST_CODE));
    }

    public static byte[] cancelRequest(int processId, byte[] secret) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeInt(body, CANCEL_REQUEST_CODE);
        writeInt(body, processId);
        body.writeBytes(secret);
        return untyped(body.toByteArray());
    }

    public static byte[] query(String sql) {
        return typed('Q', cstr(sql));
    }

    public static byte[] parse(String name, String sql, int... paramTypeOids) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        cstring(b, name);
        cstring(b, sql);
        writeShort(b, paramTypeOids.length);
        for (int oid : paramTypeOids) {
            writeInt(b, oid);
        }
        return typed('P', b.toByteArray());
    }

    /** Bind with text parameters (null = SQL NULL) and text results. */
    public static byte[] bind(String portal, String statement, String... params) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        cstring(b, portal);
        cstring(b, statement);
        writeShort(b, 0); // all parameters text
        writeShort(b, params.length);
        for (String p : params) {
            if (p == null) {
                writeInt(b, -1);
            } else {
                byte[] v = p.getBytes(StandardCharsets.UTF_8);
                writeInt(b, v.length);
                b.writeBytes(v);
            }
        }
        writeShort(b, 0); // all results text
        return typed('B', b.toByteArray());
    }

    public static byte[] describeStatement(String name) {
        return typed('D', concat(new byte[] {'S'}, cstr(name)));
    }

    public static byte[] describePortal(String name) {
        return typed('D', concat(new byte[] {'P'}, cstr(name)));
    }

    public static byte[] closeStatement(String name) {
        return typed('C', concat(new byte[] {'S'}, cstr(name)));
    }

    public static byte[] closePortal(String name) {
        return typed('C', concat(new byte[] {'P'}, cstr(name)));
    }

    public static byte[] execute(String portal, int maxRows) {
        return typed('E', concat(cstr(portal), intBytes(maxRows)));
    }

    public static byte[] sync() {
        return typed('S', new byte[0]);
    }

    public static byte[] flush() {
        return typed('H', new byte[0]);
    }

    public static byte[] copyData(String text) {
        return typed('d', text.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] copyDone() {
        return typed('c', new byte[0]);
    }

    public static byte[] copyFail(String reason) {
        return typed('f', cstr(reason));
    }

    public static byte[] terminate() {
        return typed('X', new byte[0]);
    }

    /** Any typed message: type byte, length word (body + 4), body. */
    public static byte[] typed(char type, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(5 + body.length);
        b.put((byte) type).putInt(body.length + 4).put(body);
        return b.array();
    }

    /** An untyped startup-phase packet: length word (body + 4), body. */
    public static byte[] untyped(byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + body.length);
        b.putInt(body.length + 4).put(body);
        return b.array();
    }

    public static byte[] cstr(String s) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(v, v.length + 1);
    }

    public static byte[] intBytes(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    private static void cstring(ByteArrayOutputStream b, String s) {
        b.writeBytes(cstr(s));
    }

    private static void writeInt(ByteArrayOutputStream b, int v) {
        b.writeBytes(intBytes(v));
    }

    private static void writeShort(ByteArrayOutputStream b, int v) {
        b.write((v >>> 8) & 0xff);
        b.write(v & 0xff);
    }

    // ------------------------------------------------------------------ reading

    /** One byte (the answer to SSLRequest / GSSENCRequest); -1 at end of stream. */
    public int readByte() throws IOException {
        return in.read();
    }

    /** The next backend message, or null at a clean end of stream between messages. */
    public BackendMessage read() throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        byte[] header = in.readNBytes(4);
        if (header.length < 4) {
            throw new EOFException("end of stream inside a message header");
        }
        int length = ByteBuffer.wrap(header).getInt();
        if (length < 4 || length > 64 * 1024 * 1024) {
            throw new IOException("backend sent an implausible message length " + length + " for type " + (char) type);
        }
        byte[] body = in.readNBytes(length - 4);
        if (body.length < length - 4) {
            throw new EOFException("end of stream inside a '" + (char) type + "' message");
        }
        return new BackendMessage((byte) type, body);
    }

    /** Messages up to and including the first of type {@code type}, or up to end of stream. */
    public List<BackendMessage> readUntil(char type) throws IOException {
        return readUntil(m -> m.type() == type);
    }

    public List<BackendMessage> readUntil(Predicate<BackendMessage> last) throws IOException {
        List<BackendMessage> got = new ArrayList<>();
        BackendMessage m;
        while ((m = read()) != null) {
            got.add(m);
            if (last.test(m)) {
                break;
            }
        }
        return got;
    }

    /** Messages until {@code count} ReadyForQuery have arrived (or end of stream). */
    public List<BackendMessage> readReady(int count) throws IOException {
        List<BackendMessage> got = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<BackendMessage> part = readUntil('Z');
            got.addAll(part);
            if (part.isEmpty() || part.get(part.size() - 1).type() != 'Z') {
                break;
            }
        }
        return got;
    }

    /** Everything up to end of stream. */
    public List<BackendMessage> readToEof() throws IOException {
        return readUntil(m -> false);
    }

    /** Every raw byte up to end of stream (for peers that may not speak in whole messages). */
    public byte[] readAllBytes() throws IOException {
        return in.readAllBytes();
    }

    // ------------------------------------------------------------------ messages

    /** A raw backend message: its type byte and its body (the bytes after the length word). */
    public record BackendMessage(byte type, byte[] body) {

        /** The message exactly as it was on the wire. */
        public byte[] raw() {
            return ByteBuffer.allocate(5 + body.length).put(type).putInt(body.length + 4).put(body).array();
        }

        /** A field of an ErrorResponse / NoticeResponse ('C' SQLSTATE, 'M' message, 'S' severity), or null. */
        public String field(char code) {
            int i = 0;
            while (i < body.length && body[i] != 0) {
                byte c = body[i];
                int end = i + 1;
                while (end < body.length && body[end] != 0) {
                    end++;
                }
                if (c == code) {
                    return new String(body, i + 1, end - i - 1, StandardCharsets.UTF_8);
                }
                i = end + 1;
            }
            return null;
        }

        public int intAt(int offset) {
            return ByteBuffer.wrap(body).getInt(offset);
        }

        public BackendMessage withBody(byte[] newBody) {
            return new BackendMessage(type, newBody);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder().append((char) type).append('[');
            for (byte b : body) {
                if (b >= 0x20 && b < 0x7f && b != '\\') {
                    s.append((char) b);
                } else if (b == 0) {
                    s.append("\\0");
                } else {
                    s.append(String.format("\\x%02x", b & 0xff));
                }
            }
            return s.append(']').toString();
        }
    }

    /** One message per line, readable in an assertion failure. */
    public static String render(List<BackendMessage> messages) {
        StringBuilder s = new StringBuilder();
        for (BackendMessage m : messages) {
            s.append(m).append('\n');
        }
        return s.toString();
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    public static byte[] bytes(List<BackendMessage> messages) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        messages.forEach(m -> b.writeBytes(m.raw()));
        return b.toByteArray();
    }
}
