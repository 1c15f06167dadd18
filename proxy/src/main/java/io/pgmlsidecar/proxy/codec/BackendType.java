package io.pgmlsidecar.proxy.codec;

/**
 * The type bytes of the messages PostgreSQL sends. Constants, not an enum: the framer and the
 * reply tracking switch on them once per message on the fast path.
 */
public final class BackendType {
    private BackendType() {}

    public static final byte AUTHENTICATION = 'R';
    public static final byte BACKEND_KEY_DATA = 'K';
    public static final byte PARAMETER_STATUS = 'S';
    public static final byte READY_FOR_QUERY = 'Z';
    public static final byte ROW_DESCRIPTION = 'T';
    public static final byte DATA_ROW = 'D';
    public static final byte COMMAND_COMPLETE = 'C';
    public static final byte EMPTY_QUERY_RESPONSE = 'I';
    public static final byte ERROR_RESPONSE = 'E';
    public static final byte NOTICE_RESPONSE = 'N';
    public static final byte NOTIFICATION_RESPONSE = 'A';
    public static final byte PARSE_COMPLETE = '1';
    public static final byte BIND_COMPLETE = '2';
    public static final byte CLOSE_COMPLETE = '3';
    public static final byte PARAMETER_DESCRIPTION = 't';
    public static final byte NO_DATA = 'n';
    public static final byte PORTAL_SUSPENDED = 's';
    public static final byte COPY_IN_RESPONSE = 'G';
    public static final byte COPY_OUT_RESPONSE = 'H';
    public static final byte COPY_BOTH_RESPONSE = 'W';
    public static final byte COPY_DATA = 'd';
    public static final byte COPY_DONE = 'c';
    public static final byte FUNCTION_CALL_RESPONSE = 'V';
    public static final byte NEGOTIATE_PROTOCOL_VERSION = 'v';

    /** NoticeResponse, NotificationResponse and ParameterStatus may come at any time, unasked. */
    public static boolean isAsynchronous(byte type) {
        return type == NOTICE_RESPONSE || type == NOTIFICATION_RESPONSE || type == PARAMETER_STATUS;
    }

    /** The message's name for logs and errors. */
    public static String name(byte type) {
        return switch (type) {
            case AUTHENTICATION -> "Authentication";
            case BACKEND_KEY_DATA -> "BackendKeyData";
            case PARAMETER_STATUS -> "ParameterStatus";
            case READY_FOR_QUERY -> "ReadyForQuery";
            case ROW_DESCRIPTION -> "RowDescription";
            case DATA_ROW -> "DataRow";
            case COMMAND_COMPLETE -> "CommandComplete";
            case EMPTY_QUERY_RESPONSE -> "EmptyQueryResponse";
            case ERROR_RESPONSE -> "ErrorResponse";
            case NOTICE_RESPONSE -> "NoticeResponse";
            case NOTIFICATION_RESPONSE -> "NotificationResponse";
            case PARSE_COMPLETE -> "ParseComplete";
            case BIND_COMPLETE -> "BindComplete";
            case CLOSE_COMPLETE -> "CloseComplete";
            case PARAMETER_DESCRIPTION -> "ParameterDescription";
            case NO_DATA -> "NoData";
            case PORTAL_SUSPENDED -> "PortalSuspended";
            case COPY_IN_RESPONSE -> "CopyInResponse";
            case COPY_OUT_RESPONSE -> "CopyOutResponse";
            case COPY_BOTH_RESPONSE -> "CopyBothResponse";
            case COPY_DATA -> "CopyData";
            case COPY_DONE -> "CopyDone";
            case FUNCTION_CALL_RESPONSE -> "FunctionCallResponse";
            case NEGOTIATE_PROTOCOL_VERSION -> "NegotiateProtocolVersion";
            default -> "message type '" + MessageFramer.printable(type) + "'";
        };
    }
}
