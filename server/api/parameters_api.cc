#include "server/api/parameters_api.h"

#include <boost/json.hpp>

#include "core/json.h"
#include "core/text.h"
#include "server/api/api_common.h"
#include "server/domain/parameters.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

Error bad(const std::string& why) { return make_error(Code::kInvalidArgument, why); }

bj::value typed(const domain::ParameterField* f, const std::string& text) {
  if (f && f->type == domain::ParameterType::kBoolean) return text == "true";
  if (f && f->type == domain::ParameterType::kInteger) {
    try {
      return std::stoll(text);
    } catch (const std::exception&) {
    }
  }
  return bj::string(text);
}

bj::object template_json(const store::ParameterTemplateRecord& t) {
  auto fields = json::parse(t.schema_json);
  bj::object o{{"app", t.app},
               {"name", t.name},
               {"revision", t.revision},
               {"created_by", t.created_by},
               {"created", utc_or_null(t.created)},
               {"updated", utc_or_null(t.updated)}};
  o["fields"] = fields && fields->is_object() && fields->get_object().contains("fields")
                    ? fields->get_object().at("fields")
                    : bj::value(bj::array{});
  return o;
}

Response list_templates(domain::Context& ctx, Request&, const Caller&) {
  auto all = ctx.store.parameter_templates();
  if (!all) return http::error_from(all.error());
  bj::array out;
  for (const auto& t : *all) out.push_back(template_json(t));
  return http::json_response(200, bj::object{{"templates", out}});
}

Response get_template(domain::Context& ctx, Request& req, const Caller&) {
  auto t = domain::parameter_template(ctx, req.param("app"));
  if (!t) return http::error_from(t.error());
  return http::json_response(200, template_json(*t));
}

Response save_template(domain::Context& ctx, Request& req, const Caller& caller, bool replace) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  domain::TemplateInput in;
  if (replace) {
    in.app = req.param("app");
  } else {
    auto app = text_field(*body, "app");
    if (!app) return http::error_from(app.error());
    in.app = *app;
  }
  auto name = text_field(*body, "name");
  if (!name) return http::error_from(name.error());
  in.name = *name;
  auto fields = body->find("fields");
  if (fields == body->end())
    return http::error_from(bad("send {\"app\", \"name\", \"fields\": [...]}"));
  in.schema_json = json::serialize(bj::object{{"fields", fields->value()}});
  auto t = domain::save_template(ctx, caller.scope, in, replace, caller.actor());
  if (!t) return http::error_from(t.error());
  return http::json_response(replace ? 200 : 201, template_json(*t));
}

Response post_template(domain::Context& ctx, Request& req, const Caller& caller) {
  return save_template(ctx, req, caller, false);
}
Response put_template(domain::Context& ctx, Request& req, const Caller& caller) {
  return save_template(ctx, req, caller, true);
}

// The level a request names: ?level=org&organisation=7, ?level=group&organisation=7&group=…,
// ?level=terminal&serial=… (or the same names in a body).
Expected<domain::ParameterLevel> level_of(const std::string& level, const std::string& org,
                                          const std::string& group, const std::string& serial) {
  domain::ParameterLevel w;
  w.level = level.empty() ? store::kLevelOrganisation : level;
  if (w.level != store::kLevelOrganisation && w.level != store::kLevelGroup &&
      w.level != store::kLevelTerminal)
    return bad("level must be org, group or terminal");
  if (!org.empty()) {
    auto id = positive_id(org, "organisation");
    if (!id) return id.error();
    w.org_id = *id;
  }
  w.group = group;
  w.serial = serial;
  return w;
}

Expected<domain::ParameterLevel> level_of_body(const bj::object& b) {
  auto level = text_field(b, "level");
  if (!level) return level.error();
  auto org = id_field(b, "organisation", "an organisation's id");
  if (!org) return org.error();
  auto group = text_field(b, "group");
  if (!group) return group.error();
  auto serial = text_field(b, "serial");
  if (!serial) return serial.error();
  auto w = level_of(*level, "", *group, *serial);
  if (w) w->org_id = *org;
  return w;
}

// The changes of a body, values converted to text by their field's type:
// [{"key": "mcc", "value": "5411"}, {"key": "tid", "unset": true}, {"key": "mcc", "locked": true}]
Expected<std::vector<domain::ParameterChange>> changes_of(const bj::object& b,
                                                          const domain::ParameterSchema& schema) {
  auto it = b.find("changes");
  if (it == b.end() || !it->value().is_array())
    return bad("changes must be a list of {\"key\", \"value\" | \"unset\", \"locked\"}");
  std::vector<domain::ParameterChange> out;
  for (const auto& c : it->value().get_array()) {
    if (!c.is_object()) return bad("each change must be an object");
    const auto& o = c.get_object();
    domain::ParameterChange ch;
    auto key = text_field(o, "key");
    if (!key) return key.error();
    ch.key = *key;
    const auto* f = schema.field(ch.key);
    if (!f) return bad("the template has no field " + text::safe_echo(ch.key));
    if (auto v = o.find("value"); v != o.end() && !v->value().is_null()) {
      auto t = domain::value_text(*f, v->value());
      if (!t) return t.error();
      ch.value = *t;
    }
    if (auto u = o.find("unset"); u != o.end()) {
      if (!u->value().is_bool()) return bad(ch.key + ": unset must be true or false");
      ch.unset = u->value().get_bool();
    }
    if (auto l = o.find("locked"); l != o.end() && !l->value().is_null()) {
      if (!l->value().is_bool()) return bad(ch.key + ": locked must be true or false");
      ch.locked = l->value().get_bool();
    }
    out.push_back(std::move(ch));
  }
  return out;
}

bj::object level_json(const domain::LevelValues& lv) {
  auto schema = domain::parse_schema(lv.tpl.schema_json);
  bj::array values;
  for (const auto& v : lv.values) {
    const auto* f = schema ? schema->field(v.key) : nullptr;
    bj::object o{
        {"key", v.key},       {"sensitive", v.sensitive},   {"set", v.has_value},
        {"locked", v.locked}, {"updated_by", v.updated_by}, {"updated", utc_or_null(v.updated)}};
    // A sensitive value is write-only: that it is set, never what it is.
    o["value"] = v.has_value && !v.sensitive ? typed(f, v.value) : bj::value(nullptr);
    values.push_back(std::move(o));
  }
  bj::object where{{"level", lv.where.level}};
  if (lv.where.level != store::kLevelTerminal) where["organisation"] = lv.where.org_id;
  if (lv.where.level == store::kLevelGroup) where["group"] = lv.where.group;
  if (lv.where.level == store::kLevelTerminal) where["serial"] = lv.where.serial;
  return bj::object{
      {"app", lv.tpl.app}, {"revision", lv.tpl.revision}, {"where", where}, {"values", values}};
}

bj::object effective_json(const domain::EffectiveSet& set) {
  bj::array values;
  for (const auto& v : set.values) {
    const auto* f = set.schema.field(v.key);
    bj::object o{{"key", v.key},
                 {"sensitive", v.sensitive},
                 {"set", v.has_value},
                 {"source", v.source.empty() ? bj::value(nullptr) : bj::value(v.source)},
                 {"locked_by", v.locked_by.empty() ? bj::value(nullptr) : bj::value(v.locked_by)}};
    o["value"] = v.has_value && !v.sensitive ? typed(f, v.value) : bj::value(nullptr);
    values.push_back(std::move(o));
  }
  return bj::object{{"app", set.tpl.app}, {"version", set.version}, {"values", values}};
}

Response get_values(domain::Context& ctx, Request& req, const Caller& caller) {
  auto w = level_of(req.query_or("level", ""), req.query_or("organisation", ""),
                    req.query_or("group", ""), req.query_or("serial", ""));
  if (!w) return http::error_from(w.error());
  auto lv = domain::values_at(ctx, caller.scope, req.param("app"), *w);
  if (!lv) return http::error_from(lv.error());
  return http::json_response(200, level_json(*lv));
}

struct ChangeRequest {
  domain::ParameterLevel where;
  std::vector<domain::ParameterChange> changes;
  bj::object body;
};

Expected<ChangeRequest> change_request(domain::Context& ctx, Request& req) {
  auto body = body_object(req);
  if (!body) return body.error();
  auto tpl = domain::parameter_template(ctx, req.param("app"));
  if (!tpl) return tpl.error();
  auto schema = domain::parse_schema(tpl->schema_json);
  if (!schema) return schema.error();
  auto w = level_of_body(*body);
  if (!w) return w.error();
  auto changes = changes_of(*body, *schema);
  if (!changes) return changes.error();
  return ChangeRequest{*w, std::move(*changes), std::move(*body)};
}

Response put_values(domain::Context& ctx, Request& req, const Caller& caller) {
  auto r = change_request(ctx, req);
  if (!r) return http::error_from(r.error());
  auto reason = text_field(r->body, "reason");
  if (!reason) return http::error_from(reason.error());
  auto lv = domain::set_values(ctx, caller.scope, req.param("app"), r->where, r->changes,
                               caller.role == domain::Role::kAdmin, caller.actor(), *reason);
  if (!lv) return http::error_from(lv.error());
  return http::json_response(200, level_json(*lv));
}

Response post_preview(domain::Context& ctx, Request& req, const Caller& caller) {
  auto r = change_request(ctx, req);
  if (!r) return http::error_from(r.error());
  auto serial = text_field(r->body, "terminal");
  if (!serial) return http::error_from(serial.error());
  if (serial->empty()) return http::error_from(bad("terminal (a serial) is required"));
  auto before = domain::preview_values(ctx, caller.scope, req.param("app"), *serial, r->where, {});
  if (!before) return http::error_from(before.error());
  auto after =
      domain::preview_values(ctx, caller.scope, req.param("app"), *serial, r->where, r->changes);
  if (!after) return http::error_from(after.error());
  return http::json_response(
      200, bj::object{{"before", effective_json(*before)}, {"after", effective_json(*after)}});
}

Response get_terminal_parameters(domain::Context& ctx, Request& req, const Caller& caller) {
  auto t = domain::terminal_in(ctx, caller.scope, req.param("serial"));
  if (!t) return http::error_from(t.error());
  auto sets = domain::terminal_parameters(ctx, *t);
  if (!sets) return http::error_from(sets.error());
  bj::array out;
  for (const auto& p : *sets) {
    auto o = effective_json(p.set);
    o["applied_version"] =
        p.applied_version.empty() ? bj::value(nullptr) : bj::value(p.applied_version);
    o["applied"] = utc_or_null(p.applied);
    o["in_sync"] = p.applied_version == p.set.version;
    out.push_back(std::move(o));
  }
  return http::json_response(200, bj::object{{"serial", t->serial}, {"apps", out}});
}

}  // namespace

void add_parameters_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  add_route(router, ctx, "GET", "/api/v1/parameters/templates", P::kRead, list_templates);
  add_route(router, ctx, "POST", "/api/v1/parameters/templates", P::kAdmin, post_template);
  add_route(router, ctx, "GET", "/api/v1/parameters/templates/{app}", P::kRead, get_template);
  add_route(router, ctx, "PUT", "/api/v1/parameters/templates/{app}", P::kAdmin, put_template);
  add_route(router, ctx, "GET", "/api/v1/parameters/values/{app}", P::kRead, get_values);
  add_route(router, ctx, "PUT", "/api/v1/parameters/values/{app}", P::kPolicy, put_values);
  add_route(router, ctx, "POST", "/api/v1/parameters/preview/{app}", P::kRead, post_preview);
  add_route(router, ctx, "GET", "/api/v1/terminals/{serial}/parameters", P::kRead,
            get_terminal_parameters);
}

}  // namespace posfleet::api
