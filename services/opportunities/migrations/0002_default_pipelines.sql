-- The four default pipelines (seed 003: KA vs SMB customers, standard vs
-- custom deals; seed 004: 初步沟通 / 确定意向 / 商务洽谈). Admins add their
-- own and deactivate these.
INSERT IGNORE INTO pipelines (id, name, customer_type, deal_kind, stages_json,
                              allow_backward, stale_days, active, created_at)
VALUES
(1, 'SMB 标准流程', 1, 1, '[
  {"code":"qualify","name":"初步接洽","kind":1,"probability_bp":1000,"skippable":false,"required_fields":[],"sub_stages":[]},
  {"code":"needs","name":"需求确认","kind":1,"probability_bp":3000,"skippable":true,"required_fields":[],"sub_stages":["初步沟通","确定意向"]},
  {"code":"proposal","name":"方案报价","kind":1,"probability_bp":6000,"skippable":true,"required_fields":["amount"],"sub_stages":[]},
  {"code":"negotiation","name":"商务洽谈","kind":1,"probability_bp":8000,"skippable":false,"required_fields":["budget","decision_maker"],"sub_stages":[]},
  {"code":"won","name":"赢单","kind":2,"probability_bp":10000,"skippable":false,"required_fields":["amount"],"sub_stages":[]},
  {"code":"lost","name":"输单","kind":3,"probability_bp":0,"skippable":false,"required_fields":[],"sub_stages":[]}]',
 1, 14, 1, UTC_TIMESTAMP(6)),
(2, 'SMB 定制流程', 1, 2, '[
  {"code":"qualify","name":"初步接洽","kind":1,"probability_bp":1000,"skippable":false,"required_fields":[],"sub_stages":[]},
  {"code":"needs","name":"需求确认","kind":1,"probability_bp":2000,"skippable":false,"required_fields":[],"sub_stages":["初步沟通","确定意向"]},
  {"code":"solution","name":"技术方案评审","kind":1,"probability_bp":4000,"skippable":false,"required_fields":["products"],"sub_stages":[]},
  {"code":"proposal","name":"方案报价","kind":1,"probability_bp":6000,"skippable":false,"required_fields":["amount"],"sub_stages":[]},
  {"code":"negotiation","name":"商务洽谈","kind":1,"probability_bp":8000,"skippable":false,"required_fields":["budget","decision_maker"],"sub_stages":[]},
  {"code":"won","name":"赢单","kind":2,"probability_bp":10000,"skippable":false,"required_fields":["amount"],"sub_stages":[]},
  {"code":"lost","name":"输单","kind":3,"probability_bp":0,"skippable":false,"required_fields":[],"sub_stages":[]}]',
 1, 21, 1, UTC_TIMESTAMP(6)),
(3, 'KA 标准流程', 2, 1, '[
  {"code":"qualify","name":"初步接洽","kind":1,"probability_bp":1000,"skippable":false,"required_fields":[],"sub_stages":[]},
  {"code":"needs","name":"需求确认","kind":1,"probability_bp":2500,"skippable":false,"required_fields":[],"sub_stages":["初步沟通","确定意向","高层拜访"]},
  {"code":"proposal","name":"方案报价","kind":1,"probability_bp":5000,"skippable":false,"required_fields":["amount","expected_close_date"],"sub_stages":[]},
  {"code":"negotiation","name":"商务洽谈","kind":1,"probability_bp":7500,"skippable":false,"required_fields":["budget","decision_maker"],"sub_stages":[]},
  {"code":"won","name":"赢单","kind":2,"probability_bp":10000,"skippable":false,"required_fields":["amount"],"sub_stages":[]},
  {"code":"lost","name":"输单","kind":3,"probability_bp":0,"skippable":false,"required_fields":[],"sub_stages":[]}]',
 1, 30, 1, UTC_TIMESTAMP(6)),
(4, 'KA 定制流程', 2, 2, '[
  {"code":"qualify","name":"初步接洽","kind":1,"probability_bp":500,"skippable":false,"required_fields":[],"sub_stages":[]},
  {"code":"needs","name":"需求确认","kind":1,"probability_bp":1500,"skippable":false,"required_fields":[],"sub_stages":["初步沟通","确定意向","高层拜访"]},
  {"code":"poc","name":"技术验证","kind":1,"probability_bp":3500,"skippable":true,"required_fields":["products"],"sub_stages":[]},
  {"code":"solution","name":"方案评审","kind":1,"probability_bp":5000,"skippable":false,"required_fields":["amount","expected_close_date"],"sub_stages":[]},
  {"code":"tender","name":"招投标","kind":1,"probability_bp":6500,"skippable":true,"required_fields":[],"sub_stages":[]},
  {"code":"negotiation","name":"商务洽谈","kind":1,"probability_bp":8000,"skippable":false,"required_fields":["budget","decision_maker"],"sub_stages":[]},
  {"code":"won","name":"赢单","kind":2,"probability_bp":10000,"skippable":false,"required_fields":["amount"],"sub_stages":[]},
  {"code":"lost","name":"输单","kind":3,"probability_bp":0,"skippable":false,"required_fields":[],"sub_stages":[]}]',
 1, 30, 1, UTC_TIMESTAMP(6));
