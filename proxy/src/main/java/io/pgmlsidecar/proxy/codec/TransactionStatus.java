package io.pgmlsidecar.proxy.codec;

/** The transaction status a ReadyForQuery reports. */
public enum TransactionStatus {
    IDLE('I'),
    IN_TRANSACTION('T'),
    FAILED('E');

    private final byte code;

    TransactionStatus(char code) {
        this.code = (byte) code;
    }

    /** The byte ReadyForQuery carries. */
    public byte code() {
        return code;
    }

    /** The status a ReadyForQuery's byte names; anything else is the peer's protocol violation. */
    public static TransactionStatus of(byte code) {
        return switch (code) {
            case 'I' -> IDLE;
            case 'T' -> IN_TRANSACTION;
            case 'E' -> FAILED;
            default -> throw new ProtocolViolation("invalid transaction status '" + MessageFramer.printable(code)
                    + "' in ReadyForQuery");
        };
    }
}
