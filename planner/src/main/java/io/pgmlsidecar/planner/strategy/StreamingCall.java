package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ArgumentEvaluator;
import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.values.ResultValues;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * S0 for a set-returning call whose rows are produced over time (pgml.transform_stream): each row
 * is flushed to the client as soon as it exists, so the client sees the first tokens before
 * generation ends. A portal fetched in pages (a row limit on Execute) gets its rows from a
 * generation run to the end once, then page by page.
 */
public final class StreamingCall implements Strategy {

    /** Produces the rows (one value each, as text) from the argument values, handing each to {@code rows}. */
    public interface Producer {
        void produce(SessionContext session, List<String> arguments, Consumer<String> rows);
    }

    private final ResolvedCall call;
    private final Column column;
    private final int typeOid;
    private final Producer producer;

    public StreamingCall(ResolvedCall call, Column column, int typeOid, Producer producer) {
        this.call = call;
        this.column = column;
        this.typeOid = typeOid;
        this.producer = producer;
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        return new StatementInfo(ParameterTypes.forCalls(declared, List.of(call)), List.of(column));
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        List<String> args = ArgumentEvaluator.evaluate(session, call.arguments(), parameters);
        short format = resultFormats.length > 0 ? resultFormats[0] : 0;
        return new Execution() {
            private List<byte[]> buffered;
            private int next;

            @Override
            public String fetch(SessionContext s, int maxRows) {
                if (buffered == null && maxRows <= 0) {
                    int[] count = {0};
                    producer.produce(s, args, value -> {
                        s.client().dataRow(new byte[][] {ResultValues.encode(typeOid, value, format)});
                        s.client().flush();
                        count[0]++;
                    });
                    return "SELECT " + count[0];
                }
                if (buffered == null) {
                    buffered = new ArrayList<>();
                    producer.produce(s, args, value -> buffered.add(ResultValues.encode(typeOid, value, format)));
                }
                int end = maxRows > 0 ? Math.min(buffered.size(), next + maxRows) : buffered.size();
                for (; next < end; next++) {
                    s.client().dataRow(new byte[][] {buffered.get(next)});
                }
                return next < buffered.size() ? null : "SELECT " + buffered.size();
            }
        };
    }
}
