package io.pgmlsidecar.proxy.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Each encoder against its reader, and against the bytes the protocol documentation gives, so the
 * messages the sidecar writes and the ones it reads agree on one layout.
 */
class CodecRoundTripTest {

    private final ByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;

    private static <T> T body(ByteBuf frame, byte expectedType, Function<ByteBuf, T> reader) {
        try {
            assertEquals(expectedType, frame.getByte(0), "type byte");
            assertEquals(frame.readableBytes() - 1, frame.getInt(1), "length word counts itself and the body");
            return reader.apply(new PgMessage(frame.getByte(0), frame).body());
        } finally {
            frame.release();
        }
    }

    @Test
    void parseBindExecuteDescribeCloseReadBackAsWritten() {
        FrontendMessages.Parse parse = body(FrontendMessages.parse(alloc, "s1", "select $1", new int[] {23, 25}),
                FrontendType.PARSE, FrontendMessages.Parse::read);
        assertEquals("s1", parse.statementName());
        assertEquals("select $1", parse.sql());
        assertArrayEquals(new int[] {23, 25}, parse.parameterTypeOids());

        FrontendMessages.Bind bind = body(FrontendMessages.bind(alloc, "p", "s1", new short[] {1},
                new byte[][] {{0, 0, 0, 7}, null}, new short[] {0, 1}), FrontendType.BIND, FrontendMessages.Bind::read);
        assertEquals("p", bind.portalName());
        assertEquals("s1", bind.statementName());
        assertEquals(1, bind.parameterFormat(1), "one format code applies to every parameter");
        assertArrayEquals(new byte[] {0, 0, 0, 7}, bind.values()[0]);
        assertNull(bind.values()[1], "length -1 is SQL NULL");
        assertEquals(1, bind.resultFormat(1));

        FrontendMessages.Execute execute = body(FrontendMessages.execute(alloc, "p", 50), FrontendType.EXECUTE,
                FrontendMessages.Execute::read);
        assertEquals(new FrontendMessages.Execute("p", 50), execute);

        FrontendMessages.Target describe = body(FrontendMessages.describe(alloc, FrontendType.TARGET_PORTAL, "p"),
                FrontendType.DESCRIBE, FrontendMessages.Target::read);
        assertEquals(new FrontendMessages.Target(FrontendType.TARGET_PORTAL, "p"), describe);
        FrontendMessages.Target close = body(FrontendMessages.close(alloc, FrontendType.TARGET_STATEMENT, "s1"),
                FrontendType.CLOSE, FrontendMessages.Target::read);
        assertEquals(true, close.isStatement());
        assertEquals("select 1", body(FrontendMessages.query(alloc, "select 1"), FrontendType.QUERY,
                b -> FrontendMessages.Query.read(b).sql()));
    }

    @Test
    void bodilessMessagesAreFiveBytes() {
        assertArrayEquals(new byte[] {'S', 0, 0, 0, 4}, bytes(FrontendMessages.sync(alloc)));
        assertArrayEquals(new byte[] {'H', 0, 0, 0, 4}, bytes(FrontendMessages.flush()));
        assertArrayEquals(new byte[] {'1', 0, 0, 0, 4}, bytes(BackendMessages.parseComplete(alloc)));
        assertArrayEquals(new byte[] {'n', 0, 0, 0, 4}, bytes(BackendMessages.noData(alloc)));
    }

    @Test
    void cancelRequestIsTheUntypedPacketPostgresqlExpects() {
        byte[] packet = bytes(FrontendMessages.cancelRequest(alloc, 4711, new byte[] {1, 2, 3, 4}));
        assertArrayEquals(new byte[] {0, 0, 0, 16, 4, (byte) 0xd2, 0x16, 0x2e, 0, 0, 0x12, 0x67, 1, 2, 3, 4}, packet);
    }

    @Test
    void backendRepliesReadBackAsWritten() {
        List<Column> columns = List.of(new Column("a", 16384, (short) 1, 23, (short) 4, -1, (short) 0),
                Column.computed("b", 25, (short) -1));
        assertEquals(columns, body(BackendMessages.rowDescription(alloc, columns), BackendType.ROW_DESCRIPTION,
                BackendMessages::readRowDescription));
        byte[][] row = body(BackendMessages.dataRow(alloc, new byte[][] {"x".getBytes(StandardCharsets.UTF_8), null}),
                BackendType.DATA_ROW, BackendMessages::readDataRow);
        assertEquals("x", new String(row[0], StandardCharsets.UTF_8));
        assertNull(row[1]);
        assertArrayEquals(new int[] {23, 701}, body(BackendMessages.parameterDescription(alloc, new int[] {23, 701}),
                BackendType.PARAMETER_DESCRIPTION, BackendMessages::readParameterDescription));
        assertEquals("SELECT 2", body(BackendMessages.commandComplete(alloc, "SELECT 2"), BackendType.COMMAND_COMPLETE,
                BackendMessages::readCommandTag));
        PgError error = new PgError("ERROR", "22012", "division by zero", "a detail", "a hint", 8);
        assertEquals(error, body(BackendMessages.errorResponse(alloc, error), BackendType.ERROR_RESPONSE,
                BackendMessages::readErrorFields));
        BackendMessages.KeyData key = body(BackendMessages.backendKeyData(alloc, 99, new byte[] {9, 8, 7, 6, 5}),
                BackendType.BACKEND_KEY_DATA, BackendMessages.KeyData::read);
        assertEquals(99, key.processId());
        assertArrayEquals(new byte[] {9, 8, 7, 6, 5}, key.secretKey(), "protocol 3.2 keys are longer than 4 bytes");
    }

    @Test
    void readyForQueryCarriesTheTransactionStatus() {
        for (TransactionStatus status : TransactionStatus.values()) {
            ByteBuf frame = BackendMessages.readyForQuery(alloc, status);
            try {
                assertEquals(status, BackendMessages.readTransactionStatus(frame, 0));
            } finally {
                frame.release();
            }
        }
        assertThrows(ProtocolViolation.class, () -> TransactionStatus.of((byte) 'X'));
    }

    private static byte[] bytes(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }
}
