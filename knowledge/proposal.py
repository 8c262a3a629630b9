"""The PPM proposal an RW drafts in its musyawarah: the schema every check starts from.

Amounts are whole Rupiah. Dates are ISO. Field names are a contract with other systems
and fixtures; categories and document ids are checked against the knowledge base by the
rules, not here, because the lists change between cycles.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from knowledge.reference import load_reference
from knowledge.validation import bilingual, plain_text

Source = Literal["ppm", "swadaya", "lainnya"]
Kind = Literal["material", "alat", "upah", "mamin", "jasa", "lainnya"]
KINDS: tuple[Kind, ...] = get_args(Kind)

# Bounds of the schema, not policy values: far above anything a proposal can honestly hold,
# they keep every amount an exact integer and every product of quantity and price finite, so
# that no number reaching the rules can overflow. An RW's yearly PPM allocation is of the order
# of Rp 100.000.000; the Rupiah bound is ten thousand times that.
MAX_RUPIAH = 10**12
MAX_QUANTITY = 10**9
MAX_PEOPLE = 10**7  # people or households: more than ten times the population of Kota Cimahi

Rupiah = Annotated[int, Field(ge=0, le=MAX_RUPIAH)]
Quantity = Annotated[float, Field(ge=0, le=MAX_QUANTITY, allow_inf_nan=False)]
People = Annotated[int, Field(ge=0, le=MAX_PEOPLE)]
# Every text of a proposal: no NUL or other control characters (both databases then store the
# same thing, and nothing invisible reaches a report). Checked on text fields only: a check on
# every field would run Python for each number and date of every budget line.
Text = Annotated[str, AfterValidator(plain_text)]


class Strict(BaseModel):
    """Unknown fields refused, texts stripped; text fields are `Text`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _did_you_mean(hint: str | None) -> tuple[str, str]:
    return (f"; mungkin maksud Anda '{hint}'?", f"; did you mean '{hint}'?") if hint else ("", "")


class Region(Strict):
    kecamatan: Text = Field(min_length=1, examples=["Cimahi Utara"])
    kelurahan: Text = Field(min_length=1, examples=["Cibabat"])
    rw: int = Field(ge=1, le=99, examples=[5])

    # Field validators (not one model validator) so that each problem carries its own path,
    # e.g. `region.rw`; each one sees the fields validated before it in `info.data`.
    @field_validator("kecamatan")
    @classmethod
    def _known_kecamatan(cls, name: str) -> str:
        ref = load_reference()
        kec = ref.find_kecamatan(name)
        if kec is None:
            dym_id, dym_en = _did_you_mean(ref.suggest_kecamatan(name))
            raise bilingual(f"kecamatan '{name}' tidak ada di Kota Cimahi{dym_id}",
                            f"kecamatan '{name}' is not in Kota Cimahi{dym_en}")
        return kec.name  # canonical spelling, so that storage and lookups agree

    @field_validator("kelurahan")
    @classmethod
    def _known_kelurahan(cls, name: str, info: ValidationInfo) -> str:
        ref = load_reference()
        kecamatan = info.data.get("kecamatan")
        kel = ref.find_kelurahan(name)
        if kel is None or (kecamatan and kel.kecamatan != kecamatan):
            dym_id, dym_en = _did_you_mean(ref.suggest_kelurahan(name, kecamatan))
            where_id = f"Kecamatan {kecamatan}" if kecamatan else "Kota Cimahi"
            where_en = f"Kecamatan {kecamatan}" if kecamatan else "Kota Cimahi"
            raise bilingual(f"kelurahan '{name}' tidak ada di {where_id}{dym_id}",
                            f"kelurahan '{name}' is not in {where_en}{dym_en}")
        return kel.name

    @field_validator("rw")
    @classmethod
    def _known_rw(cls, rw: int, info: ValidationInfo) -> int:
        name = info.data.get("kelurahan")
        kel = load_reference().find_kelurahan(name) if name else None
        if kel is not None and rw > kel.rw_count:
            raise bilingual(
                f"RW {rw} tidak ada di Kelurahan {kel.name} (data rujukan: {kel.rw_count} RW)",
                f"RW {rw} does not exist in Kelurahan {kel.name} (reference data: {kel.rw_count} RWs)",
            )
        return rw


class BudgetLine(Strict):
    item: Text = Field(min_length=1, examples=["Semen 50 kg"])
    unit: Text = Field(min_length=1, examples=["sak"])
    quantity: Quantity = Field(examples=[40])
    unit_price: Rupiah = Field(description="Rupiah per unit", examples=[65000])
    source: Source = Field(description="ppm, swadaya or lainnya")
    kind: Kind = Field(description="material, alat, upah, mamin, jasa or lainnya")
    amount: Rupiah | None = Field(
        default=None, description="Line total as written in the RAB (Rupiah); checked against quantity × unit_price"
    )
    cash_to_individuals: bool = Field(
        default=False, description="Paid out as cash to individuals instead of delivered in kind"
    )

    @property
    def computed_amount(self) -> int:
        return round(self.quantity * self.unit_price)


class Beneficiaries(Strict):
    households: People = 0
    poor_households: People = 0
    persons_with_disability: People = 0
    women: People = 0
    children: People = 0
    elderly: People = 0
    youth: People = 0

    @model_validator(mode="after")
    def _poor_within_households(self) -> Beneficiaries:
        if self.poor_households > self.households:
            raise bilingual(
                f"rumah tangga miskin ({self.poor_households}) melebihi jumlah rumah tangga ({self.households})",
                f"poor households ({self.poor_households}) exceed households ({self.households})",
            )
        return self


class Activity(Strict):
    code: Text = Field(min_length=1, examples=["A1"])
    name: Text = Field(min_length=1, examples=["Perbaikan saluran drainase RT 02"])
    category: Text = Field(min_length=1, examples=["sarana_prasarana.drainase"])
    location: Text = Field(default="", examples=["RT 02"])
    start: dt.date
    end: dt.date
    repairs_flood_damage: bool = False
    maintenance_plan: Text | None = None
    accessibility_features: list[Text] = Field(
        default_factory=list, description="e.g. ramp, toilet_difabel, pegangan_tangan"
    )
    budget_lines: list[BudgetLine] = Field(min_length=1)
    beneficiaries: Beneficiaries = Field(default_factory=Beneficiaries)
    stated_total: Rupiah | None = Field(default=None, description="Activity total as written (Rupiah)")

    @field_validator("end")
    @classmethod
    def _dates_in_order(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        # A field validator (not a model one) so the problem is reported even when
        # another field of the activity is also wrong.
        start = info.data.get("start")
        if start is not None and end < start:
            raise bilingual(
                f"tanggal selesai {end.isoformat()} sebelum tanggal mulai {start.isoformat()}",
                f"end date {end.isoformat()} is before start date {start.isoformat()}",
            )
        return end


class Attendance(Strict):
    total: People
    women: People = 0
    poor: People = 0
    persons_with_disability: People = 0
    youth: People = 0
    elderly: People = 0

    @field_validator("women", "poor", "persons_with_disability", "youth", "elderly")
    @classmethod
    def _subgroup_within_total(cls, value: int, info: ValidationInfo) -> int:
        total = info.data.get("total")
        if total is not None and value > total:
            raise bilingual(
                # Said beside the field's label (the path stays in the JSON): no field name here.
                f"{value} orang, melebihi total hadir ({total})",
                f"{value} people, more than the total attendance ({total})",
            )
        return value


class Speakers(Strict):
    """How many people of each group spoke or put forward a proposal in the musyawarah."""

    women: People = 0
    poor: People = 0
    persons_with_disability: People = 0
    youth: People = 0
    elderly: People = 0


class Musyawarah(Strict):
    date: dt.date
    households_in_rw: int = Field(gt=0, le=MAX_PEOPLE)
    attendance: Attendance
    speakers: Speakers | None = Field(default=None, description="Who was heard; null when not recorded")
    minutes_attached: bool = False
    attendance_list_attached: bool = False


class Team(Strict):
    members: People
    women_members: People = 0

    @model_validator(mode="after")
    def _women_within_members(self) -> Team:
        if self.women_members > self.members:
            raise bilingual(
                f"anggota perempuan ({self.women_members}) melebihi jumlah anggota ({self.members})",
                f"women members ({self.women_members}) exceed members ({self.members})",
            )
        return self


AMENDMENT_DOCUMENT = "berita_acara_perubahan"  # the document id of the berita acara perubahan in "documents"


class Amendment(Strict):
    proposal_ref: Text = Field(min_length=1)
    berita_acara_perubahan: bool = False


class Proposal(Strict):
    cycle: int = Field(ge=2000, le=2100, examples=[2022], description="Programme year")
    region: Region
    title: Text = Field(min_length=1)
    submitted_on: dt.date | None = None
    activities: list[Activity] = Field(min_length=1)
    musyawarah: Musyawarah
    team: Team
    documents: list[Text] = Field(default_factory=list)
    amends: Amendment | None = None
    requested_total: Rupiah | None = Field(default=None, description="PPM total as written (Rupiah)")

    @field_validator("documents")
    @classmethod
    def _no_blank_documents(cls, docs: list[str]) -> list[str]:
        return [d.strip() for d in docs if d and d.strip()]
