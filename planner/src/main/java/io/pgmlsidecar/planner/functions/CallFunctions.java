package io.pgmlsidecar.planner.functions;

import io.pgmlsidecar.planner.tabular.Predictions;
import io.pgmlsidecar.planner.values.Float4Arrays;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The row-wise API functions the strategies can batch (embed, predict, predict_proba): run over
 * many argument rows at once, and their results' SQL type, text and wire forms.
 */
public final class CallFunctions {

    private final EmbedCalls embed;
    private final Predictions predictions;

    public CallFunctions(EmbedCalls embed, Predictions predictions) {
        this.embed = embed;
        this.predictions = predictions;
    }

    /** True when {@code call} can run row by row in S1–S3. */
    public static boolean isRowWise(ResolvedCall call) {
        ApiFunction f = call.function();
        return f == FunctionRegistry.EMBED || f == FunctionRegistry.PREDICT || f == FunctionRegistry.PREDICT_PROBA;
    }

    /** One result per argument row: float[] for embed and predict_proba, Float for predict; null = SQL NULL. */
    public Object[] apply(SessionContext session, ResolvedCall call, List<String[]> argumentRows) {
        ApiFunction f = call.function();
        if (f == FunctionRegistry.EMBED) {
            return embed.embedRows(argumentRows);
        }
        return predictions.batch(session, argumentRows, f == FunctionRegistry.PREDICT_PROBA);
    }

    public int typeOid(ResolvedCall call) {
        return call.function() == FunctionRegistry.PREDICT ? PgTypes.FLOAT4 : PgTypes.FLOAT4_ARRAY;
    }

    public String sqlType(ResolvedCall call) {
        return call.function() == FunctionRegistry.PREDICT ? "real" : "real[]";
    }

    /** The value's text form (null stays null). */
    public String text(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof float[] v ? Float4Arrays.toText(v) : value.toString();
    }

    /** A typed SQL literal for splicing. */
    public String literal(ResolvedCall call, Object value) {
        String type = sqlType(call);
        return value == null ? "NULL::" + type : "'" + text(value) + "'::" + type;
    }

    /** The value in DataRow form, text (0) or binary (1). */
    public byte[] encode(Object value, short format) {
        if (value == null) {
            return null;
        }
        if (value instanceof float[] v) {
            return Float4Arrays.encode(v, format);
        }
        float f = (Float) value;
        return format == 1 ? ByteBuffer.allocate(4).putFloat(f).array() : Float.toString(f).getBytes(StandardCharsets.UTF_8);
    }
}
