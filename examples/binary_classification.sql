-- Binary classification on the breast cancer data set (a port of PostgresML's example flow).
SELECT * FROM pgml.load_dataset('breast_cancer');
SELECT count(*) AS rows, sum(malignant::int) AS malignant FROM pgml.breast_cancer;

SELECT * FROM pgml.train('Breast Cancer Detection', 'classification', 'pgml.breast_cancer', 'malignant', 'xgboost');
SELECT * FROM pgml.train('Breast Cancer Detection', algorithm => 'linear');
SELECT * FROM pgml.train('Breast Cancer Detection', algorithm => 'random_forest', hyperparams => '{"n_estimators": 25}');
SELECT * FROM pgml.deploy('Breast Cancer Detection', 'best_score');
SELECT name, algorithm FROM pgml.deployed_models WHERE name = 'Breast Cancer Detection';

-- class probabilities per row (in class order: false, true), and the accuracy they give
WITH scored AS (
    SELECT b.malignant, pgml.predict_proba('Breast Cancer Detection', ARRAY["mean radius", "mean texture", "mean perimeter",
        "mean area", "mean smoothness", "mean compactness", "mean concavity", "mean concave points", "mean symmetry",
        "mean fractal dimension", "radius error", "texture error", "perimeter error", "area error", "smoothness error",
        "compactness error", "concavity error", "concave points error", "symmetry error", "fractal dimension error",
        "worst radius", "worst texture", "worst perimeter", "worst area", "worst smoothness", "worst compactness",
        "worst concavity", "worst concave points", "worst symmetry", "worst fractal dimension"]) AS p
    FROM pgml.breast_cancer b
)
SELECT round(avg(CASE WHEN (p[2] > 0.5) = malignant THEN 1 ELSE 0 END)::numeric, 3) AS accuracy FROM scored;

-- a whole row as the features: every column but the label, in training order
SELECT pgml.predict('Breast Cancer Detection', f) AS prediction
FROM (SELECT "mean radius", "mean texture", "mean perimeter", "mean area", "mean smoothness", "mean compactness",
             "mean concavity", "mean concave points", "mean symmetry", "mean fractal dimension", "radius error",
             "texture error", "perimeter error", "area error", "smoothness error", "compactness error", "concavity error",
             "concave points error", "symmetry error", "fractal dimension error", "worst radius", "worst texture",
             "worst perimeter", "worst area", "worst smoothness", "worst compactness", "worst concavity",
             "worst concave points", "worst symmetry", "worst fractal dimension"
      FROM pgml.breast_cancer LIMIT 5) f;
