package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.data.Dataset;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchTest {

    private static double[][] firstRows(Dataset d, int n) {
        double[][] x = new double[n][d.columns().size()];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] = d.columns().get(j).value(i);
            }
        }
        return x;
    }

    @Test
    @SuppressWarnings("unchecked")
    void gridSearchRefitsTheBestParametersOnTheWholeTrainingSplit() {
        Dataset d = Toy.get("diabetes", "target");
        TrainResult r = TabularTrainer.train(d, TrainRequest.builder(Task.REGRESSION).algorithm("lasso")
                .hyperparams(Map.of("max_iter", 5000))
                .search("grid").searchParams(Map.of("alpha", List.of(0.01, 1.0, 100.0))).searchArgs(Map.of("cv", 3)).build());
        Map<String, Object> sr = (Map<String, Object>) r.metrics().get("search_results");
        assertEquals(3, sr.get("n_splits"));
        assertEquals(3, ((List<?>) sr.get("params")).size());
        for (String k : List.of("best_index", "mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time", "mean_test_score",
                "std_test_score", "split0_test_score", "split1_test_score", "split2_test_score", "param_alpha", "param_max_iter")) {
            assertTrue(sr.containsKey(k), k);
        }
        int best = (int) sr.get("best_index");
        List<Object> means = (List<Object>) sr.get("mean_test_score");
        for (Object m : means) {
            assertTrue(((Number) means.get(best)).doubleValue() >= ((Number) m).doubleValue());
        }
        Object bestAlpha = r.hyperparams().get("alpha");
        assertTrue(List.of(0.01, 1.0).contains(bestAlpha), "alpha 100 zeroes every coefficient: " + bestAlpha);
        assertEquals(331, r.numTrainRows()); // 442 − round(442 × 0.25)
        // the deployed estimator is the best parameters fitted on all 331 training rows, not a fold's model
        TrainResult direct = TabularTrainer.train(d, TrainRequest.builder(Task.REGRESSION).algorithm("lasso")
                .hyperparams(Map.of("max_iter", 5000, "alpha", bestAlpha)).build());
        double[][] x = firstRows(d, 10);
        assertArrayEquals(direct.model().predict(x), r.model().predict(x), 1e-12);
        assertEquals(direct.metrics().get("r2"), r.metrics().get("r2"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void randomSearchSamplesNIterCandidates() {
        Dataset d = Toy.get("iris", "target");
        TrainResult r = TabularTrainer.train(d, TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost")
                .hyperparams(Map.of("n_estimators", 10))
                .search("random").searchParams(Map.of("max_depth", List.of(1, 2, 3), "learning_rate", List.of(0.1, 0.3)))
                .searchArgs(Map.of("n_iter", 4, "cv", 2)).build());
        Map<String, Object> sr = (Map<String, Object>) r.metrics().get("search_results");
        assertEquals(4, ((List<?>) sr.get("params")).size());
        assertEquals(2, sr.get("n_splits"));
        assertEquals(112, r.numTrainRows());
        assertTrue(Toy.metric(r, "f1") > 0.85);
        TrainResult direct = TabularTrainer.train(d, TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost")
                .hyperparams(r.hyperparams()).build());
        double[][] x = firstRows(d, 20);
        assertArrayEquals(direct.model().predictProba(x)[7], r.model().predictProba(x)[7], 1e-7);
    }

    @Test
    void jsonArgumentsAsPgmlTrainReceivesThem() {
        TrainResult r = TabularTrainer.train(Toy.get("iris", "target"), TrainRequest.builder(Task.CLASSIFICATION).algorithm("random_forest")
                .hyperparamsJson("{\"n_estimators\": 10}").search("grid").searchParamsJson("{\"max_depth\": [1, 3]}")
                .searchArgsJson("{\"cv\": 2}").preprocessJson("{\"petal_width\": {\"scale\": \"standard\"}}").build());
        assertEquals(10, r.hyperparams().get("n_estimators"));
        assertTrue(List.of(1, 3).contains(r.hyperparams().get("max_depth")));
        assertThrows(TabularException.class, () -> TrainRequest.builder(Task.CLASSIFICATION).searchParamsJson("{\"max_depth\": 3}"));
        assertThrows(TabularException.class, () -> TrainRequest.builder(Task.CLASSIFICATION).hyperparamsJson("[1]"));
        assertThrows(TabularException.class, () -> TrainRequest.builder(Task.CLASSIFICATION).hyperparamsJson("{oops"));
    }

    @Test
    void searchErrors() {
        Dataset d = Toy.get("iris", "target");
        TrainRequest.Builder b = TrainRequest.builder(Task.CLASSIFICATION).algorithm("ridge");
        TabularException overlap = assertThrows(TabularException.class, () -> TabularTrainer.train(d,
                b.hyperparams(Map.of("alpha", 1.0)).search("grid").searchParams(Map.of("alpha", List.of(1.0, 2.0))).build()));
        assertTrue(overlap.getMessage().contains("both hyperparams and search_params"), overlap.getMessage());
        assertThrows(TabularException.class, () -> TabularTrainer.train(d, TrainRequest.builder(Task.CLASSIFICATION).algorithm("ridge")
                .search("grid").searchParams(Map.of("alpha", List.of(1.0))).searchArgs(Map.of("folds", 3)).build()));
        assertThrows(TabularException.class, () -> TabularTrainer.train(d, TrainRequest.builder(Task.CLASSIFICATION).algorithm("ridge")
                .search("bayes").build()));
        assertThrows(TabularException.class, () -> TabularTrainer.train(d, TrainRequest.builder(Task.CLASSIFICATION).algorithm("ridge")
                .search("grid").searchParams(Map.of("alpah", List.of(1.0))).build()));
    }
}
