"""Agents demo: the 帮代办 teams of 天易经开区 (TYJK) and of 湘潭县政务服务中心, the park's agent
(account `agent`, its staff row is one of the loader's DEMO_STAFF) and a valid authorisation from
湘潭示范科技有限公司 (account `xtkj`) for the construction-project items and 企业设立登记, granted
online through the service. Loading twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from yiwang.organisations.models import Unit
from yiwang.parties.models import Party

from . import services
from .models import AgentTeam, Authorisation

TEAMS = [("TYJK", "天易经开区帮代办服务队", "0731-57878000", "天易经开区政务服务中心 帮代办窗口"),
         ("XTX-ZWZX", "湘潭县帮代办服务中心", "0731-57812345", "湘潭县政务服务中心 9号窗（帮代办服务窗口）")]
XTKJ = "91430321MA4L16JQ95"
AGENT = "agent"
ITEMS = ["QYSLDJ", "JSYDGHXK", "JSGCGHXK", "SGTSCBA", "SGXK", "ZLAQJD", "LHYS", "BDCSCDJ"]


def load_agents_demo() -> dict:
    for code, name, phone, address in TEAMS:
        unit = Unit.objects.filter(code=code).first()
        if unit is not None:
            AgentTeam.objects.get_or_create(unit=unit, defaults={"name": name, "phone": phone, "address": address})
    agent = get_user_model().objects.filter(username=AGENT).first()
    party = Party.objects.filter(number=XTKJ).select_related("user").first()
    made = 0
    if agent and party and party.user and not Authorisation.objects.filter(party=party, agent=agent).exists():
        today = timezone.localdate()
        services.authorisation_grant(actor=party.user, party=XTKJ, agent=AGENT, items=ITEMS, valid_from=today,
                                     valid_until=today + timedelta(days=364))
        made = 1
    return {"teams": AgentTeam.objects.count(), "authorisations": made}
