"""MLflow's ``python_function`` flavor for Tandem runs.

Every run ``tandem train`` logs declares, in its ``model/MLmodel``::

    python_function:
      loader_module: tandem_infer.pyfunc
      data: model.tandem

so MLflow's own machinery loads a Tandem model with this package (installed where it runs:
``env_manager="local"``, or ``--env-manager local``):

- ``mlflow.pyfunc.load_model("runs:/<id>/model")`` / ``"models:/<name>@<alias>"``;
- ``mlflow models serve -m runs:/<id>/model --env-manager local``: ``/invocations`` answers
  ``{"predictions": [{"label", "probabilities"}]}``, as ``tandem serve`` does;
- ``mlflow.pyfunc.spark_udf(spark, "runs:/<id>/model", env_manager="local")``: a struct of
  ``label`` and ``probabilities`` (or a double, for regression) per row.

The input is raw fields (the signature lists them); the bundle's preprocessing runs inside.
A bad row is an ``MlflowException`` (``INVALID_PARAMETER_VALUE``: HTTP 400 from the server)
naming Tandem's code, field and row, never a silent null.
"""

import numpy as np
import pandas as pd

from . import InputError, Model


class TandemPyfunc:
    """What ``mlflow.pyfunc.load_model`` returns the ``predict`` of."""

    def __init__(self, model):
        self.model = model

    def predict(self, model_input, params=None):
        """Predictions in the shape of the model's output signature: ``label`` and
        ``probabilities`` (a dict per row), or ``value``."""
        if isinstance(model_input, pd.DataFrame):
            # The signature marks nullable fields optional, so MLflow passes a frame without
            # them: an absent optional column is a missing value in every row.
            absent = [f["name"] for f in self.model.schema["fields"]
                      if f.get("nullable") and f["name"] not in model_input.columns]
            if absent:
                model_input = model_input.assign(**{name: None for name in absent})
        try:
            frame = self.model.predict(model_input)
        except InputError as e:
            from mlflow.exceptions import MlflowException
            from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE

            raise MlflowException(str(e), error_code=INVALID_PARAMETER_VALUE) from e
        classes = self.model.classes
        if classes is None:
            return pd.DataFrame({"value": frame["value"].to_numpy()})
        numbers = np.column_stack([frame[f"probability_{c}"].to_numpy() for c in classes])
        probabilities = [dict(zip(classes, row)) for row in numbers.tolist()]
        return pd.DataFrame({"label": frame["label"].to_numpy(), "probabilities": probabilities})


def _load_pyfunc(path, model_config=None):
    """MLflow's entry point: ``path`` is the flavor's ``data``, the run's ``model.tandem``."""
    return TandemPyfunc(Model.load(path))
