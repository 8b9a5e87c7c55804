"""The Step Functions service integration (``arn:aws:states:::states:startExecution``)
in moto's interpreter, made to take the parameters as AWS does.

The ASL names the API's parameters as the AWS documentation does (``StateMachineArn``,
``Name``, ``Input``); boto names them ``stateMachineArn``... . moto's copy of the
interpreter lost the step that maps one to the other (its base ``_normalise_parameters``
does nothing), so every start fails with ``KeyError: 'StateMachineArn'`` inside botocore.
This puts the mapping back for this one integration, by the operation's input shape,
with the interpreter's own converter: what AWS would send is what moto receives.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    import botocore.session
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
        StateTaskServiceSfn,
    )

    shapes: dict[str, Any] = {}
    shapes_lock = threading.Lock()  # executions start together: read the model once, not once each
    original = StateTaskServiceSfn._normalise_parameters

    def normalise(self: Any, parameters: dict, boto_service_name: str | None = None,
                  service_action_name: str | None = None) -> None:
        original(self, parameters, boto_service_name=boto_service_name, service_action_name=service_action_name)
        action = self._get_boto_service_action(service_action_name)
        with shapes_lock:
            if action not in shapes:
                model = botocore.session.get_session().get_service_model("stepfunctions")
                names = {op: model.operation_model(op) for op in model.operation_names}
                by_action = {self._get_boto_service_action(op): m for op, m in names.items()}
                shapes[action] = by_action[action].input_shape if action in by_action else None
        if shapes[action] is not None:
            self._to_boto_request(parameters, shapes[action])

    original_response = StateTaskServiceSfn._normalise_response

    def normalise_response(self: Any, response: Any, boto_service_name: str | None = None,
                           service_action_name: str | None = None) -> None:
        original_response(self, response, boto_service_name=boto_service_name,
                          service_action_name=service_action_name)
        if isinstance(response, dict):
            # AWS answers in the ASL's casing (ExecutionArn, StartDate) and JSON values;
            # boto's datetime would stop the interpreter's JSON encoder.
            for key in list(response):
                value = response.pop(key)
                response[key[:1].upper() + key[1:]] = value.isoformat() if isinstance(value, datetime) else value

    StateTaskServiceSfn._normalise_parameters = normalise  # type: ignore[method-assign]
    StateTaskServiceSfn._normalise_response = normalise_response  # type: ignore[method-assign]
    _installed = True
