package io.pgmlsidecar.it.wire;

import static io.pgmlsidecar.it.wire.RawPgClient.bind;
import static io.pgmlsidecar.it.wire.RawPgClient.closePortal;
import static io.pgmlsidecar.it.wire.RawPgClient.closeStatement;
import static io.pgmlsidecar.it.wire.RawPgClient.concat;
import static io.pgmlsidecar.it.wire.RawPgClient.copyData;
import static io.pgmlsidecar.it.wire.RawPgClient.copyDone;
import static io.pgmlsidecar.it.wire.RawPgClient.copyFail;
import static io.pgmlsidecar.it.wire.RawPgClient.describePortal;
import static io.pgmlsidecar.it.wire.RawPgClient.describeStatement;
import static io.pgmlsidecar.it.wire.RawPgClient.execute;
import static io.pgmlsidecar.it.wire.RawPgClient.flush;
import static io.pgmlsidecar.it.wire.RawPgClient.parse;
import static io.pgmlsidecar.it.wire.RawPgClient.query;
import static io.pgmlsidecar.it.wire.RawPgClient.sync;

import io.pgmlsidecar.it.wire.ProtocolFuzzTest.Case;
import io.pgmlsidecar.it.wire.ProtocolFuzzTest.Ending;
import io.pgmlsidecar.it.wire.ProtocolFuzzTest.Expect;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The saved protocol corpus ({@value #RESOURCE}): its file format, and its generator ({@link #main}). Two families
 * of inputs: the fuzz test's structure-aware cases (startup packets, special requests, typed messages, lying lengths,
 * truncations), and mutated client sessions — message sequences as pgjdbc and psql send them, API calls included
 * (simple and extended protocol, named statements, portals with row limits, COPY in and out, transactions),
 * with messages dropped, repeated, swapped, spliced from another session, fields rewritten or cut.
 *
 * <p>Regenerate: {@code java -cp <test classpath> io.pgmlsidecar.it.wire.ProtocolCorpus
 * integration-tests/src/test/resources/fuzz/protocol-corpus.bin.gz 10000 <seed>}.
 */
final class ProtocolCorpus {

    static final String RESOURCE = "/fuzz/protocol-corpus.bin.gz";
    static final long DEFAULT_SEED = 0x5EED_2026_0018L;
    private static final int MAGIC = 0x5047465A; // "PGFZ"
    private static final int FORMAT = 1;
    /** Keeps the committed file small; the live fuzz test covers the large messages. */
    private static final int MAX_PAYLOAD = 24 * 1024;
    private static final int TRUNCATED_BYTES = 1024;

    private ProtocolCorpus() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "integration-tests/src/test/resources/fuzz/protocol-corpus.bin.gz");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        long seed = args.length > 2 ? Long.decode(args[2]) : DEFAULT_SEED;
        List<Case> cases = generate(seed, count);
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (OutputStream o = Files.newOutputStream(out)) {
            write(cases, o);
        }
        System.out.println("wrote " + cases.size() + " cases (seed " + seed + ") to " + out + ", " + Files.size(out) + " bytes");
    }

    static List<Case> generate(long seed, int count) {
        List<Case> cases = new ArrayList<>(count);
        int fuzzShare = count / 2;
        for (int i = 0; cases.size() < fuzzShare; i++) {
            Case c = ProtocolFuzzTest.generate(i % fuzzShare, fuzzShare, new Random(seed * 31 + i));
            byte[] p = c.payload();
            if (c.kind().startsWith("truncated") && p.length > TRUNCATED_BYTES) {
                // a stream cut short stays cut short when cut shorter (the declared length still promises more);
                // random bytes do not compress, so the file keeps only their first kilobyte
                p = Arrays.copyOf(p, TRUNCATED_BYTES);
            }
            if (p.length <= MAX_PAYLOAD) {
                cases.add(new Case(cases.size(), c.kind(), c.afterStartup(), p, c.ending(), c.expect(), c.sqlState(), c.answers()));
            }
        }
        for (int i = 0; cases.size() < count; i++) {
            cases.add(mutatedSession(cases.size(), new Random(seed * 37 + i)));
        }
        return cases;
    }

    // ------------------------------------------------------------------ sessions as clients send them

    /** Message sequences as pgjdbc (extended protocol, named statements after five uses, fetch size) and psql send them. */
    static List<List<byte[]>> sessions() {
        String embed = "SELECT pgml.embed('sentence-transformers/all-MiniLM-L6-v2', 'fuzz') AS e";
        return List.of(
                List.of(query("SELECT pgml.version()")),
                List.of(query("SELECT 1; SELECT pgml.version(); SELECT 'x' AS y")),
                List.of(query("BEGIN"), query("SELECT pgml.version()"), query("COMMIT")),
                List.of(parse("", "SELECT pgml.version()"), bind("", ""), describePortal(""), execute("", 0), sync()),
                List.of(parse("S_1", "SELECT $1::int + 1", 23), describeStatement("S_1"), sync(), bind("", "S_1", "41"),
                        execute("", 0), sync(), closeStatement("S_1"), sync()),
                List.of(parse("", "SELECT g FROM generate_series(1, 50) g"), bind("C_1", ""), execute("C_1", 10),
                        execute("C_1", 10), closePortal("C_1"), sync()),
                List.of(parse("", "SELECT pgml.predict('no_such_fuzz_project', ARRAY[1.0::real, 2.0::real])"), bind("", ""),
                        execute("", 0), sync()),
                List.of(parse("", "SELECT pgml.predict($1, ARRAY[$2::real])", 25, 700), bind("", "", "fuzz_p", "1.5"),
                        describePortal(""), execute("", 0), sync()),
                List.of(parse("", embed), bind("", ""), describePortal(""), execute("", 0), sync()),
                List.of(query("SELECT pgml.embed('sentence-transformers/all-MiniLM-L6-v2', t) FROM (VALUES ('a'), ('b')) v(t)")),
                List.of(query("CREATE TEMP TABLE fz (a int, b text)"), query("COPY fz FROM STDIN"), copyData("1\tone\n"),
                        copyData("2\ttwo\n"), copyDone(), query("SELECT count(*) FROM fz")),
                List.of(query("CREATE TEMP TABLE fz2 (a int)"), query("COPY fz2 FROM STDIN"), copyData("x\n"), copyFail("fuzz"),
                        query("SELECT 1")),
                List.of(query("COPY (SELECT g FROM generate_series(1, 5) g) TO STDOUT")),
                List.of(query("BEGIN"), parse("", "SELECT 1/0"), bind("", ""), execute("", 0), sync(), query("ROLLBACK")),
                List.of(parse("", "SELECT $1::text AS t", 25), bind("", "", "pgml.embed('m', 'x')"), execute("", 0), flush(), sync()),
                List.of(query("SELECT '/* pgml.predict(1) */' AS a, $$pgml.embed('x', 'y')$$ AS b -- pgml.version()")),
                List.of(query("SET application_name = 'fuzz'"), query("LISTEN fuzz_channel"), query("NOTIFY fuzz_channel, 'x'"),
                        query("UNLISTEN *")),
                List.of(query("PREPARE fz_p AS SELECT pgml.version()"), query("EXECUTE fz_p"), query("DEALLOCATE fz_p")));
    }

    /** One to three sessions, concatenated, with structural mutations; always ends by leaving COPY and syncing. */
    static Case mutatedSession(int index, Random r) {
        List<List<byte[]>> all = sessions();
        List<byte[]> messages = new ArrayList<>();
        int parts = 1 + r.nextInt(3);
        for (int k = 0; k < parts; k++) {
            for (byte[] m : all.get(r.nextInt(all.size()))) {
                messages.add(m.clone());
            }
        }
        boolean framingBroken = false;
        boolean truncated = false;
        int mutations = 1 + r.nextInt(4);
        for (int m = 0; m < mutations && !messages.isEmpty() && !truncated; m++) { // a cut stream is the last mutation
            int at = r.nextInt(messages.size());
            byte[] msg = messages.get(at);
            switch (r.nextInt(11)) {
                case 0 -> messages.remove(at);
                case 1 -> messages.add(at, msg.clone());
                case 2 -> {
                    int other = r.nextInt(messages.size());
                    messages.set(at, messages.get(other));
                    messages.set(other, msg);
                }
                case 3 -> {
                    List<byte[]> donor = all.get(r.nextInt(all.size()));
                    messages.add(at, donor.get(r.nextInt(donor.size())).clone());
                }
                case 4 -> messages.set(at, rewriteString(msg, r));
                case 5 -> messages.set(at, rewriteInt(msg, r));
                case 6 -> {
                    int bodyLen = msg.length - 5;
                    messages.set(at, RawPgClient.typed((char) msg[0], Arrays.copyOfRange(msg, 5, 5 + (bodyLen == 0 ? 0 : r.nextInt(bodyLen)))));
                }
                case 7 -> messages.set(at, RawPgClient.typed((char) "PBEDSHCdcfQ".charAt(r.nextInt(11)), Arrays.copyOfRange(msg, 5, msg.length)));
                case 8 -> {
                    if (msg.length > 5) {
                        msg[5 + r.nextInt(msg.length - 5)] = (byte) r.nextInt(256);
                    }
                }
                case 9 -> {
                    ByteBuffer.wrap(msg).putInt(1, Math.max(4, msg.length - 1 + (r.nextInt(41) - 20)));
                    framingBroken = ByteBuffer.wrap(msg).getInt(1) != msg.length - 1 || framingBroken;
                }
                default -> {
                    truncated = true;
                    List<byte[]> head = new ArrayList<>(messages.subList(0, at));
                    head.add(Arrays.copyOf(msg, 1 + r.nextInt(msg.length)));
                    messages = head;
                }
            }
        }
        if (!truncated) {
            // COPY might still be waiting for data: CopyDone ends it (and is ignored outside COPY), Sync ends the batch
            messages.add(copyDone());
            messages.add(sync());
        }
        byte[] p = concat(messages.toArray(new byte[0][]));
        boolean open = framingBroken || truncated;
        // a stream cut short or misframed may rightly leave PostgreSQL waiting for bytes: our side closes
        return new Case(index, "mutated-session", true, p, open ? Ending.HALF_CLOSE : Ending.WAIT,
                open ? Expect.END : Expect.END_OR_READY, null, 0);
    }

    /** Replaces one NUL-terminated string of the body with a hostile one (length fixed up). */
    private static byte[] rewriteString(byte[] msg, Random r) {
        byte[] body = Arrays.copyOfRange(msg, 5, msg.length);
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < body.length - 1; i++) {
            if (body[i] == 0) {
                starts.add(i + 1);
            }
        }
        int start = starts.get(r.nextInt(starts.size()));
        int end = start;
        while (end < body.length && body[end] != 0) {
            end++;
        }
        String[] hostile = {"", "pgml.embed(", "SELECT pgml.predict('p', ARRAY[", "'", "$$", "\"", "/*", "--", "\u0000x",
                "U&'\\0000'", "SELECT pgml.version(); SELECT pg_sleep(0)", "S_1", "C_1", "\uFFFF\uD800", "x".repeat(3000)};
        byte[] replacement = hostile[r.nextInt(hostile.length)].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = concat(Arrays.copyOfRange(body, 0, start), replacement, Arrays.copyOfRange(body, end, body.length));
        return RawPgClient.typed((char) msg[0], out);
    }

    /** Overwrites an aligned 16- or 32-bit word of the body (counts, format codes, OIDs, lengths) with an edge value. */
    private static byte[] rewriteInt(byte[] msg, Random r) {
        if (msg.length < 7) {
            return msg;
        }
        byte[] out = msg.clone();
        int[] edges = {0, 1, -1, 2, 0x7fff, 0x8000, 0xffff, Integer.MAX_VALUE, Integer.MIN_VALUE, 65_535, 1 << 20};
        int at = 5 + r.nextInt(out.length - 6);
        int v = edges[r.nextInt(edges.length)];
        if (r.nextBoolean() || out.length - at < 4) {
            ByteBuffer.wrap(out).putShort(at, (short) v);
        } else {
            ByteBuffer.wrap(out).putInt(at, v);
        }
        return out;
    }

    // ------------------------------------------------------------------ the file

    static void write(List<Case> cases, OutputStream target) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(target))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(cases.size());
            for (Case c : cases) {
                out.writeUTF(c.kind());
                out.writeBoolean(c.afterStartup());
                out.writeByte(c.ending().ordinal());
                out.writeByte(c.expect().ordinal());
                out.writeUTF(c.sqlState() == null ? "" : c.sqlState());
                out.writeInt(c.answers());
                out.writeInt(c.payload().length);
                out.write(c.payload());
            }
        }
    }

    static List<Case> read(InputStream source) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(source))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IOException("not a protocol corpus of format " + FORMAT);
            }
            int n = in.readInt();
            List<Case> cases = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String kind = in.readUTF();
                boolean afterStartup = in.readBoolean();
                Ending ending = Ending.values()[in.readByte()];
                Expect expect = Expect.values()[in.readByte()];
                String state = in.readUTF();
                int answers = in.readInt();
                byte[] payload = new byte[in.readInt()];
                in.readFully(payload);
                cases.add(new Case(i, kind, afterStartup, payload, ending, expect, state.isEmpty() ? null : state, answers));
            }
            return cases;
        }
    }
}
