"""The portal's REST API: a Chalice app (API Gateway → Lambda) made of one blueprint per
capability; every route is thin and calls one service."""

from __future__ import annotations

from chalice import Chalice

from ezd.api import (auth_routes, case_routes, contractor_routes, edoreczenia_routes, jrwa_routes, letter_template_routes,
                     openapi_routes, outgoing_register_routes, outgoing_routes, paper_routes, registry_routes,
                     routing_routes, statistics_routes, user_routes)

app = Chalice(app_name="ezd-api")
for routes in (auth_routes, registry_routes, paper_routes, routing_routes, case_routes, jrwa_routes, user_routes,
               statistics_routes, contractor_routes, outgoing_routes, outgoing_register_routes, letter_template_routes,
               edoreczenia_routes, openapi_routes):
    app.register_blueprint(routes.blueprint)
