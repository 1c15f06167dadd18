-- Regression on the diabetes data set, with preprocessing, then metrics over the predictions.
SELECT * FROM pgml.load_dataset('diabetes');
SELECT * FROM pgml.train('Diabetes Progression', 'regression', 'pgml.diabetes', 'target', 'linear',
                         preprocess => '{"bmi": {"scale": "standard"}, "bp": {"impute": "mean", "scale": "standard"}}');
SELECT * FROM pgml.train('Diabetes Progression', algorithm => 'ridge', hyperparams => '{"alpha": 0.5}');
SELECT * FROM pgml.train('Diabetes Progression', algorithm => 'xgboost', hyperparams => '{"n_estimators": 50, "max_depth": 3}');
SELECT * FROM pgml.deploy('Diabetes Progression', 'best_score');
SELECT metrics->>'r2' AS r2 FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id
WHERE p.name = 'Diabetes Progression' ORDER BY m.id;
CREATE TEMP TABLE diabetes_scored AS
SELECT target, pgml.predict('Diabetes Progression', ARRAY[age, sex, bmi, bp, s1, s2, s3, s4, s5, s6]) AS prediction
FROM pgml.diabetes;
SELECT pgml.sklearn_regression_metrics(array_agg(target::real), array_agg(prediction)) FROM diabetes_scored;
SELECT r2 > 0.3 AS explains_variance
FROM (SELECT pgml.sklearn_r2_score(array_agg(target::real), array_agg(prediction)) AS r2 FROM diabetes_scored) scored;
