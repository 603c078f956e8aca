//! The text after each subcommand's `--help`: an example to copy, and, where a model is
//! accepted, every way of naming one (the forms `tandem_tracking::uri::ModelUri` parses).

/// Every model URI kind, for the commands that take a model.
macro_rules! model_uris {
    () => {
        "Model URIs (--model, and wherever a model is accepted):\n  \
         path/to/model.tandem           a bundle file\n  \
         tandem-runs/<exp>/<run id>     a run folder of the local store (or any folder holding model.tandem)\n  \
         runs:/<run id>                 the run's bundle (artifact path `model`)\n  \
         runs:/<run id>/<artifact path> the bundle under another artifact path\n  \
         models:/<name>/<version>       a registered version (`tandem models register`)\n  \
         models:/<name>/latest          the newest version\n  \
         models:/<name>@<alias>         the version an alias points at (`tandem models alias`)\n\
         runs:/ and models:/ resolve in --runs-dir, or on the MLflow server of --tracking-uri."
    };
}

/// `tandem keys`.
pub const KEYS: &str = "Examples:\n  \
    tandem keys new --out keys/                  # keys/tandem.key (0600) and keys/tandem.pub\n  \
    tandem train --spec tandem.toml --sign-key keys/tandem.key\n  \
    tandem predict --model runs:/<run id> --public-key keys/tandem.pub --input new.csv --output -\n  \
    tandem serve --model models:/titanic@champion --public-key keys/tandem.pub\n\
    Keys made with `openssl genpkey -algorithm ed25519` (and `openssl pkey -pubout`) work too.";

/// `tandem keys new`.
pub const KEYS_NEW: &str = KEYS;

/// `tandem init`.
pub const INIT: &str = "Example:\n  \
    tandem init --data examples/data/titanic.csv --label survived --out tandem.toml\n  \
    tandem train --spec tandem.toml";

/// `tandem train`.
pub const TRAIN: &str = "Examples:\n  \
    tandem train --spec examples/titanic/tandem.toml                 # a declared pipeline\n  \
    tandem train --spec tandem.toml --learning-rate 0.001 --seed 7   # flags override the spec\n  \
    tandem train --data examples/data/iris.csv --label target        # the default pipeline\n\
    Without a spec, write one with `tandem init --data file.csv --label column`.";

/// `tandem tune`.
pub const TUNE: &str = "Examples:\n  \
    tandem tune --data examples/data/iris.csv --label target              # 60 s of search\n  \
    tandem tune --spec tandem.toml --budget 5m --metric accuracy\n  \
    tandem tune --data train.csv --label y --trials 20                    # reproducible\n\
    Each trial trains the ensemble `tandem train` would (k networks on k folds of the non-test\n\
    rows, each early-stopped on a fold apart from the one it scores) with settings drawn\n\
    from: hidden none, 16, 32, 64, 128, 32,32, 64,64; learning rate\n\
    0.001-0.1 (log-uniform); weight decay 0 or 1e-5-0.1; max epochs 30, 100, 300. Trial 1 is\n\
    the plan's own settings, trial 2 the same without a hidden layer. Every trial is a child\n\
    run of the tuning run (MLflow: `mlflow.parentRunId`); the winner is trained in the tuning\n\
    run, which holds the model; small data is cross-validated several times per trial\n\
    (--repeats). The winner: the best mean (--select smallest: the smallest network within\n\
    one standard error of it).\n\
    See docs/tune.md.";

/// `tandem predict`.
pub const PREDICT: &str = concat!(
    "Example:\n  \
     tandem predict --model runs:/<run id> --input new.csv --output preds.csv\n  \
     tandem predict --model models:/titanic@champion --input new.jsonl --output - --strict\n\n",
    model_uris!()
);

/// `tandem evaluate`.
pub const EVALUATE: &str = concat!(
    "Example:\n  \
     tandem evaluate --model runs:/<run id> --data labelled.csv\n  \
     tandem evaluate --model models:/titanic@champion --data new.jsonl --label survived --json\n\n\
     Metrics (equal to scikit-learn's): classification: accuracy, balanced_accuracy, f1_macro,\n\
     f1_weighted, log_loss, roc_auc, pr_auc, brier, ece, and the confusion matrix; regression:\n\
     rmse, mae, r2, mape (no true value 0), residual_mean, residual_std, residual_p5..p95.\n\
     Rows whose fields or label do not read are not scored; they are counted and listed.\n\n",
    model_uris!()
);

/// `tandem explain`.
pub const EXPLAIN: &str = concat!(
    "Example:\n  \
     tandem explain --model runs:/<run id> --input rows.jsonl\n  \
     tandem explain --model model.tandem --input rows.csv --output why.jsonl\n  \
     tandem explain --model model.tandem --input rows.csv --method sampled --permutations 256 --seed 7\n\n\
     Each value is a raw field's Shapley value: how much that field, with every feature it\n\
     produces, moved the prediction away from the base (the mean prediction over the bundle's\n\
     background rows). Per class on the probability scale, or in the label's units. The base\n\
     plus the values is the prediction. Exact up to 12 fields; seeded permutations above.\n\n",
    model_uris!()
);

/// `tandem drift`.
pub const DRIFT: &str = concat!(
    "Example:\n  \
     tandem drift --model runs:/<run id> --data last-week.csv\n  \
     tandem drift --model models:/titanic@champion --data new.jsonl --report drift.svg --fail-on drifted\n\n\
     Per field: PSI over the training bins (deciles for numbers and text lengths, values for\n\
     categories and booleans, missing as a bin), Jensen-Shannon distance, Wasserstein distance\n\
     in training standard deviations (numbers), missing-rate change, unseen categories, the\n\
     text vocabulary's hit rate. Status: PSI < 0.1 stable, < 0.25 moderate, else drifted.\n\
     Recorded as a run (tag tandem.kind = drift) with drift.json and drift.svg.\n\n",
    model_uris!()
);

/// `tandem serve`.
pub const SERVE: &str = concat!(
    "Example:\n  \
     tandem serve --model models:/titanic@champion --port 5000\n  \
     curl -s localhost:5000/invocations -H 'content-type: application/json' \\\n    \
     -d '{\"dataframe_records\": [{\"sex\": \"female\", \"age\": 30}]}'\n\n",
    model_uris!()
);

/// `tandem inspect`.
pub const INSPECT: &str = concat!(
    "Example:\n  tandem inspect models:/titanic@champion | jq .schema\n\n",
    model_uris!()
);

/// `tandem schema`.
pub const SCHEMA: &str = "Example:\n  \
    tandem schema infer examples/data/titanic.csv --label survived > schema.json";

/// `tandem schema infer`.
pub const SCHEMA_INFER: &str = SCHEMA;

/// `tandem validate`.
pub const VALIDATE: &str = concat!(
    "Example:\n  \
     tandem validate --schema schema.json --data new.csv\n  \
     tandem validate --schema runs:/<run id> --data new.csv --json\n\n\
     --schema takes a schema JSON file or a model:\n",
    model_uris!()
);

/// `tandem runs`.
pub const RUNS: &str = "Examples:\n  \
    tandem runs list --max 5\n  \
    tandem runs show <run id>\n  \
    tandem runs compare <run id> <run id>   # params (spec_sha256, features, ...) and metrics, differing first";

/// `tandem runs list`.
pub const RUNS_LIST: &str = "Example:\n  tandem runs list --experiment Default --max 5 --json";

/// `tandem runs show`.
pub const RUNS_SHOW: &str = "Example:\n  tandem runs show <run id>";

/// `tandem runs compare`.
pub const RUNS_COMPARE: &str = "Example:\n  \
    tandem runs compare <run id> <run id>\n\
    Runs log their spec's SHA-256 (spec_sha256) and their features, so a changed spec or \
    feature list shows in the differing rows.";

/// `tandem models`.
pub const MODELS: &str = "Examples:\n  \
    tandem models register --run <run id> --name titanic   # -> version 1, 2, ...\n  \
    tandem models alias titanic champion 1                 # models:/titanic@champion\n  \
    tandem models list";

/// `tandem models register`.
pub const MODELS_REGISTER: &str =
    "Example:\n  tandem models register --run <run id> --name titanic";

/// `tandem models alias`.
pub const MODELS_ALIAS: &str = "Examples:\n  \
    tandem models alias titanic champion 2\n  \
    tandem models alias titanic champion --delete";

/// `tandem models list`.
pub const MODELS_LIST: &str = "Example:\n  tandem models list --json";
