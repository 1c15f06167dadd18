package io.pgmlsidecar.planner;

/**
 * Rows the strategies read per chunk, and so pass to one model call: a live setting the launcher
 * changes on reload (SIGHUP). A statement reads the value when it fetches its next chunk, so a
 * change applies from the next chunk on. Bigger batches amortise per-call costs; smaller ones bound
 * the memory a session holds and the latency of its first rows.
 */
public final class BatchSizes {
    private BatchSizes() {}

    public static final int DEFAULT_SELECT_ROWS = 256;
    public static final int DEFAULT_STAGED_ROWS = 1024;
    public static final int MAX_ROWS = 1_000_000;

    private static volatile int selectRows = DEFAULT_SELECT_ROWS;
    private static volatile int stagedRows = DEFAULT_STAGED_ROWS;

    /** S2 (row-dependent calls in the top SELECT list): rows per fetch and per model call. */
    public static int selectRows() {
        return selectRows;
    }

    /** S4 (calls anywhere, staged look-ups): argument rows collected per pass. */
    public static int stagedRows() {
        return stagedRows;
    }

    public static void setSelectRows(int rows) {
        selectRows = checked("select-batch-rows", rows);
    }

    public static void setStagedRows(int rows) {
        stagedRows = checked("staged-batch-rows", rows);
    }

    private static int checked(String name, int rows) {
        if (rows < 1 || rows > MAX_ROWS) {
            throw new IllegalArgumentException(name + " must be between 1 and " + MAX_ROWS + ", not " + rows);
        }
        return rows;
    }
}
