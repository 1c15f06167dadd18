package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.planner.functions.ArgumentExpression;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.remote.AzureMlInvocations;
import io.pgmlsidecar.planner.remote.AzureSettings;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.planner.values.ResultValues;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.List;

/** Remote endpoints: Azure's azure_ai.set_setting / get_setting and azure_ml.invoke. */
final class AzureFunctions {
    private AzureFunctions() {}

    static void register(AzureSettings settings, AzureMlInvocations invocations, AloneForms alone,
                         CallFunctions rowWise) {
        AloneForms.Form set = AloneForms.scalar(ResultValues.VOID, true, (s, a) -> {
            settings.set(s, a.get(0), a.get(1));
            return "";
        });
        alone.add(FunctionRegistry.AZURE_AI_SET_SETTING, (call, inFrom, name) -> {
            // a secret must never travel to PostgreSQL as SQL text: only a literal or a parameter, read here
            if (!isLiteralOrParameter(call.arguments().get(1))) {
                throw new PgException(PgError.error("0A000", "azure_ai.set_setting takes its value as a literal or a parameter",
                        "Write the value itself, e.g. azure_ai.set_setting('azure_ml.endpoint_key', '<key>'), or bind it as $2: "
                                + "an expression would have to be sent to PostgreSQL to be computed."));
            }
            return set.plan(call, inFrom, name);
        });
        alone.add(FunctionRegistry.AZURE_AI_GET_SETTING, AloneForms.scalar(PgTypes.TEXT, true, (s, a) -> settings.get(s, a.get(0))));
        rowWise.add(FunctionRegistry.AZURE_ML_INVOKE, PgTypes.JSONB, invocations::invoke);
        alone.add(FunctionRegistry.AZURE_ML_INVOKE, AloneForms.scalar(PgTypes.JSONB, true,
                (s, a) -> invocations.invoke(s, List.<String[]>of(a.toArray(new String[0])))[0]));
    }

    private static boolean isLiteralOrParameter(ArgumentExpression e) {
        List<Token> t = e.tokens();
        if (t.size() == 1) {
            return t.get(0).kind() == Token.Kind.STRING || t.get(0).kind() == Token.Kind.PARAMETER || t.get(0).isKeyword("null");
        }
        // 'x'::text or $2::text
        return t.size() == 3 && (t.get(0).kind() == Token.Kind.STRING || t.get(0).kind() == Token.Kind.PARAMETER)
                && t.get(1).text().equals("::") && (t.get(2).isKeyword("text") || t.get(2).isKeyword("varchar"));
    }
}
