"""Cimahi's reference data: 3 kecamatan, 15 kelurahan in the right kecamatan, RW lists with RT counts."""

from knowledge.reference import load_reference

EXPECTED = {  # domain brief, Kemendagri codes
    ("32.77.01", "Cimahi Selatan"): {"Melong", "Cibeureum", "Utama", "Leuwigajah", "Cibeber"},
    ("32.77.02", "Cimahi Tengah"): {"Baros", "Cigugur Tengah", "Karangmekar", "Setiamanah", "Padasuka", "Cimahi"},
    ("32.77.03", "Cimahi Utara"): {"Pasirkaliki", "Cibabat", "Citeureup", "Cipageran"},
}


def test_three_kecamatan_with_their_codes():
    ref = load_reference()
    assert {(k.code, k.name) for k in ref.kecamatan} == set(EXPECTED)


def test_fifteen_kelurahan_each_in_its_kecamatan_with_the_kecamatan_code_prefix():
    ref = load_reference()
    assert len(ref.all_kelurahan()) == 15
    for kec in ref.kecamatan:
        assert {k.name for k in kec.kelurahan} == EXPECTED[(kec.code, kec.name)]
        for kel in kec.kelurahan:
            assert kel.kecamatan == kec.name
            assert kel.code.startswith(kec.code + "."), kel.code


def test_cigugur_tengah_has_nineteen_rw():
    kel = load_reference().find_kelurahan("cigugur  tengah")
    assert kel is not None and kel.rw_count == 19


def test_every_rw_has_a_plausible_rt_count_and_rws_lists_them_all():
    ref = load_reference()
    pairs = ref.rws()
    assert len(pairs) == sum(k.rw_count for k in ref.all_kelurahan())
    assert all(1 <= kel.rt_count(rw) <= 30 for kel, rw in pairs)
    assert ref.find_kelurahan("Cibabat").rt_count(99) is None


def test_near_miss_names_get_a_suggestion():
    ref = load_reference()
    assert ref.suggest_kelurahan("Cigugur Tngah") == "Cigugur Tengah"
    assert ref.suggest_kecamatan("Cimahi Utra") == "Cimahi Utara"
