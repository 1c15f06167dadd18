package io.pgmlsidecar.planner.values;

import java.nio.ByteBuffer;

/**
 * PostgreSQL's binary send format of one-type numeric arrays (int2[], int4[], int8[], float4[],
 * float8[], any number of dimensions), flattened in order; NULL elements are NaN. Reading a
 * training relation's arrays in binary skips the server's number formatting and the sidecar's
 * number parsing.
 */
public final class BinaryNumericArrays {
    private BinaryNumericArrays() {}

    /** Whether arrays of this element type name (pg_type.typname of the array, e.g. "_int2") read in binary. */
    public static boolean supports(String arrayTypeName) {
        return switch (arrayTypeName) {
            case "_int2", "_int4", "_int8", "_float4", "_float8" -> true;
            default -> false;
        };
    }

    public static double[] parse(byte[] wire) {
        ByteBuffer b = ByteBuffer.wrap(wire);
        int dimensions = b.getInt();
        b.getInt(); // has-nulls flag: NULLs show as length -1 anyway
        int elementType = b.getInt();
        long count = dimensions == 0 ? 0 : 1;
        for (int d = 0; d < dimensions; d++) {
            count *= b.getInt();
            b.getInt(); // lower bound
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("array of " + count + " elements is too large");
        }
        double[] out = new double[(int) count];
        for (int i = 0; i < out.length; i++) {
            int length = b.getInt();
            if (length < 0) {
                out[i] = Double.NaN;
                continue;
            }
            out[i] = switch (elementType) {
                case 21 -> b.getShort();
                case 23 -> b.getInt();
                case 20 -> b.getLong();
                case 700 -> b.getFloat();
                case 701 -> b.getDouble();
                default -> throw new IllegalArgumentException("not a numeric array element type: oid " + elementType);
            };
        }
        return out;
    }
}
