package io.pgmlsidecar.proxy.codec;

/**
 * The type bytes of the messages a client sends after its StartupMessage. Constants, not an enum:
 * the framer and the reply tracking switch on them once per message on the fast path.
 */
public final class FrontendType {
    private FrontendType() {}

    public static final byte QUERY = 'Q';
    public static final byte PARSE = 'P';
    public static final byte BIND = 'B';
    public static final byte DESCRIBE = 'D';
    public static final byte EXECUTE = 'E';
    public static final byte CLOSE = 'C';
    public static final byte SYNC = 'S';
    public static final byte FLUSH = 'H';
    public static final byte FUNCTION_CALL = 'F';
    public static final byte COPY_DATA = 'd';
    public static final byte COPY_DONE = 'c';
    public static final byte COPY_FAIL = 'f';
    public static final byte TERMINATE = 'X';
    /** PasswordMessage, SASLInitialResponse and SASLResponse share one type byte. */
    public static final byte PASSWORD = 'p';

    /** Describe and Close name a prepared statement or a portal with one of these. */
    public static final byte TARGET_STATEMENT = 'S';
    public static final byte TARGET_PORTAL = 'P';

    /** Parse, Bind, Describe, Execute, Close and Flush: they belong to an extended-protocol batch ended by Sync. */
    public static boolean isExtended(byte type) {
        return switch (type) {
            case PARSE, BIND, DESCRIBE, EXECUTE, CLOSE, FLUSH -> true;
            default -> false;
        };
    }

    /** The message's name for logs and errors. */
    public static String name(byte type) {
        return switch (type) {
            case QUERY -> "Query";
            case PARSE -> "Parse";
            case BIND -> "Bind";
            case DESCRIBE -> "Describe";
            case EXECUTE -> "Execute";
            case CLOSE -> "Close";
            case SYNC -> "Sync";
            case FLUSH -> "Flush";
            case FUNCTION_CALL -> "FunctionCall";
            case COPY_DATA -> "CopyData";
            case COPY_DONE -> "CopyDone";
            case COPY_FAIL -> "CopyFail";
            case TERMINATE -> "Terminate";
            case PASSWORD -> "PasswordMessage";
            default -> "message type '" + MessageFramer.printable(type) + "'";
        };
    }
}
