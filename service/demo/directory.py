"""The demo directory: the real partners Kết Nối was founded from, plus generated listings so that
every province has services. Deterministic: the same ids and content on every machine."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from service import places
from service.directory.models import (
    ContactIn,
    ContactKind,
    Fee,
    Gender,
    LocationIn,
    OrganizationCreate,
    OrganizationKind,
    Population,
    ScheduleIn,
    ServiceCreate,
    Visibility,
)

NAMESPACE = uuid.UUID("6f1c2a8e-4b1d-4a8e-9a51-6b2d3e0c7a10")

OFFICE_HOURS = [
    ScheduleIn(weekday=day, opens_at=opens, closes_at=closes)
    for day in range(1, 6)
    for opens, closes in (("07:30", "11:30"), ("13:30", "17:00"))
]
SATURDAY_MORNING = [ScheduleIn(weekday=6, opens_at="07:30", closes_at="11:30")]


def demo_id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


@dataclass(frozen=True)
class DemoOrganization:
    key: str
    body: OrganizationCreate
    parent_key: str | None = None

    @property
    def id(self) -> uuid.UUID:
        return demo_id("org", self.key)


@dataclass(frozen=True)
class DemoService:
    key: str
    organization_key: str
    fields: dict[str, object] = field(default_factory=dict)
    verified: bool = True
    # how long ago it was last verified: over ``STALE_AFTER`` (6 months) it is due again, so the
    # demo coordinator's verification queue has work in it
    verified_days_ago: int = 0

    @property
    def id(self) -> uuid.UUID:
        return demo_id("service", self.key)

    def body(self) -> ServiceCreate:
        return ServiceCreate(organization_id=demo_id("org", self.organization_key), **self.fields)  # type: ignore[arg-type]


def _org(key: str, name: str, kind: OrganizationKind, parent: str | None = None, **extra: object) -> DemoOrganization:
    return DemoOrganization(key=key, body=OrganizationCreate(name=name, kind=kind, **extra), parent_key=parent)  # type: ignore[arg-type]


def _hotline(number: str, hours: str = "24/7", *, always: bool = True) -> ContactIn:
    return ContactIn(kind=ContactKind.HOTLINE, value=number, hours=hours, is_24_7=always, languages=["vi"])


def _phone(number: str) -> ContactIn:
    return ContactIn(kind=ContactKind.PHONE, value=number, hours="Giờ hành chính", languages=["vi"])


def _loc(province: str, commune: str, street: str, lat: float, lon: float, *, confidential: bool = False) -> LocationIn:
    return LocationIn(
        name="", street=street, commune=commune, province_code=province, lat=lat, lon=lon, confidential=confidential
    )


def real_organizations() -> list[DemoOrganization]:
    K = OrganizationKind
    return [
        _org(
            "vwu",
            "Hội Liên hiệp Phụ nữ Việt Nam",
            K.MASS_ORGANIZATION,
            alternate_name="Vietnam Women's Union",
            website="https://hoilhpn.org.vn",
        ),
        # its office number is fictional (the 0299 555 block), so a partner calling back about a
        # demo referral rings no one
        _org(
            "vwu-cantho",
            "Hội Liên hiệp Phụ nữ thành phố Cần Thơ",
            K.MASS_ORGANIZATION,
            "vwu",
            contacts=[_phone("0299 555 0100")],
        ),
        _org(
            "cwd",
            "Trung tâm Phụ nữ và Phát triển",
            K.MASS_ORGANIZATION,
            "vwu",
            alternate_name="Center for Women and Development (CWD)",
            description="Đơn vị của Hội LHPN Việt Nam vận hành Ngôi Nhà Bình Yên.",
        ),
        _org(
            "peaceful-house",
            "Ngôi Nhà Bình Yên Cần Thơ",
            K.MASS_ORGANIZATION,
            "cwd",
            alternate_name="Peaceful House Cần Thơ",
        ),
        _org(
            "osso-cantho",
            "Văn phòng hỗ trợ một cửa (OSSO) cho phụ nữ di cư trở về Cần Thơ",
            K.MASS_ORGANIZATION,
            "vwu-cantho",
            alternate_name="One-Stop Service Office for returnee migrant women",
        ),
        _org(
            "child-hotline",
            "Tổng đài quốc gia bảo vệ trẻ em 111",
            K.GOVERNMENT,
            alternate_name="National Child Protection Hotline 111",
        ),
        _org(
            "soctrang-counselling",
            "Trung tâm Tư vấn hôn nhân và gia đình (Hội LHPN Sóc Trăng cũ)",
            K.MASS_ORGANIZATION,
            "vwu-cantho",
            alternate_name="Sóc Trăng marriage and family counselling centre",
        ),
        _org(
            "backan-wu",
            "Hội Liên hiệp Phụ nữ Bắc Kạn (nay thuộc Thái Nguyên)",
            K.MASS_ORGANIZATION,
            "vwu",
            alternate_name="Bắc Kạn Women's Union",
        ),
        _org(
            "anhduong-quangninh",
            "Ngôi nhà Ánh Dương Quảng Ninh",
            K.SOCIAL_WORK_CENTRE,
            alternate_name="Sunshine House Quảng Ninh (one-stop support for GBV survivors)",
        ),
        _org("ctxh-quangninh", "Trung tâm Công tác xã hội tỉnh Quảng Ninh", K.SOCIAL_WORK_CENTRE),
        _org("hoankiem-wu", "Hội Liên hiệp Phụ nữ phường Hoàn Kiếm", K.MASS_ORGANIZATION, "vwu"),
        _org("anhduong-hanoi", "Ngôi nhà Ánh Dương Hà Nội", K.SOCIAL_WORK_CENTRE),
        _org("anhduong-danang", "Ngôi nhà Ánh Dương Đà Nẵng", K.SOCIAL_WORK_CENTRE),
        _org("anhduong-hcm", "Ngôi nhà Ánh Dương Thành phố Hồ Chí Minh", K.SOCIAL_WORK_CENTRE),
        _org("jobs-cantho", "Trung tâm Dịch vụ việc làm thành phố Cần Thơ", K.GOVERNMENT),
        _org("legalaid-cantho", "Trung tâm Trợ giúp pháp lý nhà nước thành phố Cần Thơ", K.LEGAL_AID_CENTRE),
        _org("legalaid-hanoi", "Trung tâm Trợ giúp pháp lý nhà nước thành phố Hà Nội", K.LEGAL_AID_CENTRE),
    ]


def real_services() -> list[DemoService]:
    survivors = [Population.TRAFFICKING_SURVIVOR, Population.GBV_SURVIVOR, Population.WOMAN, Population.CHILD]
    return [
        DemoService(
            "peaceful-house-shelter",
            "peaceful-house",
            {
                "name": "Ngôi Nhà Bình Yên – nhà tạm lánh cho nạn nhân bị mua bán",
                "alternate_name": "Peaceful House shelter",
                "description": "Nhà tạm lánh an toàn cho phụ nữ và trẻ em là nạn nhân bị mua bán người hoặc bạo lực "
                "gia đình: chỗ ở, ăn uống, chăm sóc y tế, tư vấn tâm lý, hỗ trợ pháp lý, học nghề và "
                "hỗ trợ tái hòa nhập cộng đồng.",
                "categories": ["shelter", "psychosocial", "essential_needs", "vocational_training"],
                "populations": [*survivors, Population.RETURNEE_MIGRANT],
                "eligibility_description": "Phụ nữ và trẻ em gái là nạn nhân bị mua bán hoặc bạo lực, được giới thiệu "
                "bởi cơ quan chức năng hoặc đường dây nóng.",
                "min_age": 6,
                "genders": [Gender.FEMALE],
                "languages": ["vi", "km"],
                "application_process": "Gọi đường dây nóng 1900 969 680; nhân viên sẽ hẹn tiếp nhận.",
                "required_documents": ["Giấy tờ tùy thân nếu có (không bắt buộc)"],
                "capacity_total": 20,
                "capacity_available": 4,
                "locations": [
                    _loc("92", "Phường Ninh Kiều", "(địa chỉ bảo mật)", 10.0371, 105.7882, confidential=True)
                ],
                "service_areas": ["92", "86", "91", "96", "82"],
                "contacts": [_hotline("1900 969 680")],
            },
        ),
        DemoService(
            "osso-cantho",
            "osso-cantho",
            {
                "name": "Văn phòng hỗ trợ một cửa (OSSO) – tiếp nhận phụ nữ di cư trở về",
                "alternate_name": "OSSO returnee reception office, Cần Thơ",
                "description": "Tiếp nhận, tư vấn và kết nối dịch vụ cho phụ nữ di cư trở về (kết hôn với người nước "
                "ngoài, lao động ở nước ngoài): giấy tờ hộ tịch cho mẹ và con, tâm lý, việc làm, vay vốn.",
                "categories": ["returnee_reception", "one_stop_support", "legal_documents", "psychosocial"],
                "populations": [
                    Population.RETURNEE_MIGRANT,
                    Population.TRAFFICKING_SURVIVOR,
                    Population.WOMAN,
                    Population.CHILD,
                ],
                "languages": ["vi", "zh", "ko"],
                "application_process": "Đến trực tiếp trong giờ hành chính hoặc gọi điện hẹn trước.",
                "required_documents": ["Hộ chiếu hoặc giấy tờ xuất nhập cảnh nếu có", "Giấy khai sinh của con nếu có"],
                "locations": [_loc("92", "Phường Ninh Kiều", "Số 6 Hòa Bình", 10.0340, 105.7850)],
                "service_areas": ["92"],
                "contacts": [_phone("0292 3821 555")],
                "schedules": OFFICE_HOURS,
            },
        ),
        DemoService(
            "hotline-111",
            "child-hotline",
            {
                "name": "Tổng đài quốc gia bảo vệ trẻ em 111",
                "alternate_name": "National child protection hotline 111",
                "description": "Đường dây nóng miễn phí, hoạt động 24/7, tiếp nhận thông tin, tư vấn và kết nối can "
                "thiệp khẩn cấp cho trẻ em bị xâm hại, bạo lực, mua bán.",
                "categories": ["hotline", "child_protection", "rapid_response"],
                "populations": [Population.CHILD, Population.TRAFFICKING_SURVIVOR, Population.GBV_SURVIVOR],
                "languages": ["vi"],
                "service_areas": ["national"],
                "contacts": [_hotline("111")],
            },
        ),
        DemoService(
            "soctrang-counselling",
            "soctrang-counselling",
            {
                "name": "Tư vấn hôn nhân gia đình và hỗ trợ nạn nhân bạo lực (Sóc Trăng)",
                "description": "Trung tâm tư vấn của Hội LHPN tỉnh Sóc Trăng cũ: tư vấn hôn nhân có yếu tố nước ngoài, "
                "phòng chống mua bán người, hỗ trợ nạn nhân bạo lực gia đình.",
                "categories": ["marriage_family_counselling", "psychosocial", "hotline"],
                "populations": [Population.GBV_SURVIVOR, Population.RETURNEE_MIGRANT, Population.WOMAN],
                "languages": ["vi", "km"],
                "locations": [_loc("92", "Phường Phú Lợi", "Số 1 Trần Hưng Đạo", 9.6025, 105.9739)],
                "service_areas": ["92"],
                "contacts": [_hotline("0377 672 444", "7:00–21:00", always=False)],
                "schedules": OFFICE_HOURS + SATURDAY_MORNING,
            },
            verified_days_ago=250,
        ),
        DemoService(
            "soctrang-rapid-response",
            "soctrang-counselling",
            {
                "name": "Đội phản ứng nhanh phòng chống bạo lực gia đình (các xã của Sóc Trăng cũ)",
                "description": "Tổ can thiệp nhanh ở cơ sở: đến hiện trường, tách nạn nhân khỏi nguy hiểm, đưa đến nơi "
                "tạm lánh và báo cơ quan chức năng.",
                "categories": ["rapid_response"],
                "populations": [Population.GBV_SURVIVOR, Population.CHILD, Population.WOMAN],
                "languages": ["vi", "km"],
                "service_areas": ["92"],
                "contacts": [_hotline("0377 672 444")],
            },
            verified_days_ago=220,
        ),
        DemoService(
            "backan-trusted-addresses",
            "backan-wu",
            {
                "name": "Địa chỉ tin cậy cộng đồng – Bắc Kạn",
                "alternate_name": "Bắc Kạn Women's Union trusted addresses",
                "description": "Mạng lưới gia đình và cơ sở tin cậy ở thôn bản tiếp nhận tạm thời phụ nữ và trẻ em bị "
                "bạo lực hoặc có nguy cơ bị mua bán, trong khi chờ chuyển tuyến.",
                "categories": ["trusted_address", "shelter"],
                "populations": [*survivors, Population.ETHNIC_MINORITY],
                "languages": ["vi", "tyz", "nut"],
                "capacity_total": 6,
                "capacity_available": 2,
                "locations": [_loc("19", "Phường Đức Xuân", "(địa chỉ bảo mật)", 22.1470, 105.8348, confidential=True)],
                "service_areas": ["19"],
                "contacts": [_hotline("0209 3870 555")],
            },
        ),
        DemoService(
            "anhduong-quangninh",
            "anhduong-quangninh",
            {
                "name": "Ngôi nhà Ánh Dương Quảng Ninh – hỗ trợ một cửa cho nạn nhân bạo lực giới",
                "description": "Mô hình hỗ trợ toàn diện: nơi tạm lánh, y tế, tâm lý, pháp lý, kết nối việc làm cho "
                "phụ nữ và trẻ em gái bị bạo lực giới hoặc bị mua bán.",
                "categories": ["one_stop_support", "shelter", "psychosocial", "legal_aid"],
                "populations": survivors,
                "languages": ["vi"],
                "capacity_total": 12,
                "capacity_available": 0,
                "locations": [_loc("22", "Phường Hạ Long", "(địa chỉ bảo mật)", 20.9560, 107.0750, confidential=True)],
                "service_areas": ["22"],
                "contacts": [_hotline("1800 599 980")],
            },
        ),
        DemoService(
            "ctxh-quangninh",
            "ctxh-quangninh",
            {
                "name": "Công tác xã hội và quản lý trường hợp – Quảng Ninh",
                "description": "Đánh giá nhu cầu, lập kế hoạch hỗ trợ tái hòa nhập, tư vấn tâm lý và chuyển gửi dịch vụ.",
                "categories": ["psychosocial", "essential_needs", "family_reunification"],
                "populations": [Population.TRAFFICKING_SURVIVOR, Population.RETURNEE_MIGRANT, Population.CHILD],
                "languages": ["vi"],
                "locations": [_loc("22", "Phường Hạ Long", "Tổ 5, khu 3", 20.9599, 107.0425)],
                "service_areas": ["22"],
                "contacts": [_phone("0203 3835 555")],
                "schedules": OFFICE_HOURS,
            },
        ),
        DemoService(
            "hoankiem-shelter",
            "hoankiem-wu",
            {
                "name": "Địa chỉ tin cậy – nhà tạm lánh cộng đồng Hoàn Kiếm",
                "description": "Nơi tạm lánh cộng đồng do Hội LHPN phường Hoàn Kiếm quản lý, tiếp nhận trong ngày phụ nữ "
                "và trẻ em bị bạo lực.",
                "categories": ["trusted_address", "shelter"],
                "populations": survivors,
                "languages": ["vi", "en"],
                "capacity_total": 4,
                "capacity_available": 1,
                "visibility": Visibility.STAFF,
                "locations": [
                    _loc("01", "Phường Hoàn Kiếm", "(địa chỉ bảo mật)", 21.0288, 105.8525, confidential=True)
                ],
                "service_areas": ["01"],
                "contacts": [_hotline("024 3825 5555")],
            },
        ),
        *[
            DemoService(
                f"anhduong-{key}",
                f"anhduong-{key}",
                {
                    "name": f"Ngôi nhà Ánh Dương {city} – mô hình hỗ trợ một cửa",
                    "description": "Hỗ trợ một cửa cho người bị bạo lực giới: tiếp nhận 24/7, tạm lánh ngắn ngày, y tế, "
                    "tâm lý, pháp lý và chuyển gửi.",
                    "categories": ["one_stop_support", "shelter", "psychosocial"],
                    "populations": survivors,
                    "languages": ["vi", "en"],
                    "capacity_total": 10,
                    "capacity_available": capacity,
                    "locations": [_loc(code, commune, "(địa chỉ bảo mật)", lat, lon, confidential=True)],
                    "service_areas": [code],
                    "contacts": [_hotline(hotline)],
                },
            )
            for key, city, code, commune, lat, lon, hotline, capacity in (
                ("hanoi", "Hà Nội", "01", "Phường Đống Đa", 21.0180, 105.8290, "1800 1567", 3),
                ("danang", "Đà Nẵng", "48", "Phường Hải Châu", 16.0680, 108.2210, "1800 1569", 2),
                ("hcm", "Thành phố Hồ Chí Minh", "79", "Phường Bàn Cờ", 10.7720, 106.6800, "1800 1570", 5),
            )
        ],
        DemoService(
            "jobs-cantho",
            "jobs-cantho",
            {
                "name": "Giới thiệu việc làm và tư vấn học nghề – Cần Thơ",
                "description": "Tư vấn, giới thiệu việc làm, phiên giao dịch việc làm hằng tháng, hỗ trợ học nghề và "
                "bảo hiểm thất nghiệp; ưu tiên người trở về và nạn nhân bị mua bán.",
                "categories": ["job_placement", "vocational_training"],
                "populations": [Population.RETURNEE_MIGRANT, Population.TRAFFICKING_SURVIVOR, Population.GENERAL],
                "languages": ["vi"],
                "locations": [_loc("92", "Phường Cái Khế", "Số 37 Trần Hưng Đạo", 10.0465, 105.7830)],
                "service_areas": ["92"],
                "contacts": [_phone("0292 3812 555")],
                "schedules": OFFICE_HOURS,
            },
        ),
        *[
            DemoService(
                f"legalaid-{key}",
                f"legalaid-{key}",
                {
                    "name": f"Trợ giúp pháp lý miễn phí cho nạn nhân bị mua bán người – {city}",
                    "description": "Tư vấn pháp luật, đại diện và bào chữa miễn phí cho nạn nhân bị mua bán người, người "
                    "bị bạo lực gia đình, trẻ em; hỗ trợ làm lại giấy tờ hộ tịch.",
                    "categories": ["legal_aid", "legal_documents"],
                    "populations": [Population.TRAFFICKING_SURVIVOR, Population.GBV_SURVIVOR, Population.CHILD],
                    "languages": ["vi"],
                    "locations": [_loc(code, commune, street, lat, lon)],
                    "service_areas": [code],
                    "contacts": [_phone(phone)],
                    "schedules": OFFICE_HOURS,
                },
            )
            for key, city, code, commune, street, lat, lon, phone in (
                (
                    "cantho",
                    "Cần Thơ",
                    "92",
                    "Phường Ninh Kiều",
                    "Số 2 Lý Thường Kiệt",
                    10.0330,
                    105.7870,
                    "0292 3810 555",
                ),
                ("hanoi", "Hà Nội", "01", "Phường Cầu Giấy", "Số 1 Phạm Văn Bạch", 21.0300, 105.7950, "024 3555 0555"),
            )
        ],
    ]


# Kinds of listing every province gets, so the directory is complete enough to search anywhere.
GENERATED_KINDS = (
    ("wu", "Hội Liên hiệp Phụ nữ {p}", OrganizationKind.MASS_ORGANIZATION),
    ("ctxh", "Trung tâm Công tác xã hội {p}", OrganizationKind.SOCIAL_WORK_CENTRE),
    ("tgpl", "Trung tâm Trợ giúp pháp lý nhà nước {p}", OrganizationKind.LEGAL_AID_CENTRE),
    ("dvvl", "Trung tâm Dịch vụ việc làm {p}", OrganizationKind.GOVERNMENT),
    ("bv", "Bệnh viện Đa khoa {p}", OrganizationKind.HEALTH_FACILITY),
    ("nhcs", "Ngân hàng Chính sách xã hội – chi nhánh {p}", OrganizationKind.GOVERNMENT),
)


def generated_organizations() -> Iterator[DemoOrganization]:
    for province in places.provinces():
        for key, pattern, kind in GENERATED_KINDS:
            parent = "vwu" if key == "wu" else None
            yield _org(f"{key}-{province.code}", pattern.format(p=province.name), kind, parent)


def _near(rng: random.Random, province: places.Province, spread: float = 0.06) -> tuple[float, float]:
    return (
        round(province.lat + rng.uniform(-spread, spread), 5),
        round(province.lon + rng.uniform(-spread, spread), 5),
    )


def _fictional_phone(code: str, index: int) -> str:
    """Numbers in a 555 block, so no generated listing rings a real person."""
    return f"0299 555 {int(code):02d}{index}"


@dataclass(frozen=True)
class GeneratedListing:
    """One kind of office listing every province gets, at a fictional street address."""

    suffix: str
    organization: str
    name: str
    description: str
    categories: tuple[str, ...]
    populations: tuple[Population, ...]
    street: str
    phone_index: int
    extra: dict[str, object] = field(default_factory=dict)
    capacity: int | None = None
    emergency_hours: str | None = None


NOTE = " (Dữ liệu minh họa.)"

GENERATED_LISTINGS = (
    GeneratedListing(
        "wu-counselling",
        "wu",
        "Tư vấn pháp luật, hôn nhân gia đình cho phụ nữ – {p}",
        "Tư vấn về hôn nhân có yếu tố nước ngoài, phòng chống mua bán người và bạo lực gia đình; "
        "hỗ trợ phụ nữ di cư trở về.",
        ("marriage_family_counselling", "psychosocial"),
        (Population.WOMAN, Population.RETURNEE_MIGRANT, Population.GBV_SURVIVOR),
        "Trần Phú",
        2,
    ),
    GeneratedListing(
        "ctxh-psy",
        "ctxh",
        "Tư vấn tâm lý – xã hội cho nạn nhân bị mua bán người ({p})",
        "Đánh giá tâm lý, tham vấn cá nhân và nhóm, quản lý trường hợp, kết nối gia đình.",
        ("psychosocial", "family_reunification"),
        (Population.TRAFFICKING_SURVIVOR, Population.RETURNEE_MIGRANT, Population.CHILD),
        "Lê Lợi",
        3,
    ),
    GeneratedListing(
        "ctxh-reception",
        "ctxh",
        "Tiếp nhận và hỗ trợ nhu cầu thiết yếu cho người trở về – {p}",
        "Tiếp nhận người từ nước ngoài trở về, hỗ trợ ăn ở ban đầu, chi phí đi lại về địa phương "
        "và trợ cấp khó khăn ban đầu.",
        ("returnee_reception", "essential_needs"),
        (Population.RETURNEE_MIGRANT, Population.TRAFFICKING_SURVIVOR),
        "Lê Lợi",
        4,
    ),
    GeneratedListing(
        "legal",
        "tgpl",
        "Trợ giúp pháp lý miễn phí – {p}",
        "Tư vấn pháp luật, tham gia tố tụng miễn phí cho nạn nhân bị mua bán người và người "
        "thuộc diện trợ giúp pháp lý; hỗ trợ làm giấy tờ tùy thân, hộ tịch.",
        ("legal_aid", "legal_documents"),
        (Population.TRAFFICKING_SURVIVOR, Population.GBV_SURVIVOR, Population.CHILD),
        "Hùng Vương",
        5,
    ),
    GeneratedListing(
        "jobs",
        "dvvl",
        "Giới thiệu việc làm, tư vấn nghề – {p}",
        "Tư vấn nghề, giới thiệu việc làm trong tỉnh, kết nối doanh nghiệp, phiên giao dịch việc làm.",
        ("job_placement",),
        (Population.GENERAL, Population.RETURNEE_MIGRANT),
        "Nguyễn Huệ",
        6,
    ),
    GeneratedListing(
        "training",
        "dvvl",
        "Đào tạo nghề ngắn hạn miễn phí (may, nấu ăn, làm đẹp) – {p}",
        "Lớp học nghề 3 tháng miễn học phí, hỗ trợ tiền ăn và đi lại cho nạn nhân bị mua bán, "
        "người trở về và phụ nữ khó khăn.",
        ("vocational_training", "livelihood"),
        (Population.TRAFFICKING_SURVIVOR, Population.RETURNEE_MIGRANT, Population.WOMAN),
        "Nguyễn Huệ",
        7,
        extra={"min_age": 15},
        capacity=30,
    ),
    GeneratedListing(
        "health",
        "bv",
        "Khám, điều trị và chăm sóc y tế cho nạn nhân bạo lực – {p}",
        "Khám và điều trị (nhận thẻ bảo hiểm y tế), giám định thương tích, chăm sóc sức khỏe sinh sản "
        "và sức khỏe tâm thần cho nạn nhân bạo lực và bị mua bán.",
        ("health",),
        (Population.GBV_SURVIVOR, Population.TRAFFICKING_SURVIVOR, Population.GENERAL),
        "Hai Bà Trưng",
        8,
        extra={"fee": Fee.LOW_COST},
        emergency_hours="Cấp cứu 24/7",
    ),
    GeneratedListing(
        "loans",
        "nhcs",
        "Vay vốn ưu đãi tạo sinh kế cho người trở về – {p}",
        "Cho vay vốn ưu đãi hộ nghèo, hộ cận nghèo và người từ nước ngoài trở về để sản xuất, kinh doanh nhỏ.",
        ("microcredit", "livelihood"),
        (Population.RETURNEE_MIGRANT, Population.GENERAL),
        "Quang Trung",
        9,
        extra={"min_age": 18},
    ),
)


def _shelter(rng: random.Random, province: places.Province, commune: str) -> DemoService:
    """The Women's Union trusted address: its place is confidential and some are staff-only."""
    code, name = province.code, province.name
    lat, lon = _near(rng, province)
    staff_only = rng.random() < 0.3
    return DemoService(
        f"gen-{code}-shelter",
        f"wu-{code}",
        {
            "name": f"Nhà tạm lánh – địa chỉ tin cậy của Hội Phụ nữ {name}",
            "description": "Nơi tạm lánh an toàn ngắn ngày cho phụ nữ, trẻ em bị bạo lực gia đình hoặc bị mua bán, "
            "kèm tư vấn và chuyển gửi dịch vụ." + NOTE,
            "categories": ["shelter", "trusted_address"],
            "populations": [
                Population.GBV_SURVIVOR,
                Population.TRAFFICKING_SURVIVOR,
                Population.WOMAN,
                Population.CHILD,
            ],
            "languages": ["vi"],
            "capacity_total": 6,
            "capacity_available": rng.randint(0, 6),
            "visibility": Visibility.STAFF if staff_only else Visibility.PUBLIC,
            "locations": [_loc(code, commune, "(địa chỉ bảo mật)", lat, lon, confidential=True)],
            "service_areas": [code],
            "contacts": [_hotline(_fictional_phone(code, 1))],
        },
        verified=rng.random() < 0.8,
    )


def _office_listing(rng: random.Random, province: places.Province, commune: str, kind: GeneratedListing) -> DemoService:
    code = province.code
    fields: dict[str, object] = {
        "name": kind.name.format(p=province.name),
        "description": kind.description + NOTE,
        "categories": list(kind.categories),
        "populations": list(kind.populations),
        "languages": ["vi"],
        **kind.extra,
    }
    if kind.capacity is not None:
        fields["capacity_total"] = kind.capacity
        fields["capacity_available"] = rng.randint(0, kind.capacity)
    street = f"Số {rng.randint(1, 200)} đường {kind.street}"
    fields["locations"] = [_loc(code, commune, street, *_near(rng, province))]
    fields["service_areas"] = [code]
    number = _fictional_phone(code, kind.phone_index)
    if kind.emergency_hours:
        fields["contacts"] = [_hotline(number, kind.emergency_hours)]
    else:
        fields["contacts"] = [_phone(number)]
        fields["schedules"] = OFFICE_HOURS
    return DemoService(f"gen-{code}-{kind.suffix}", f"{kind.organization}-{code}", fields, verified=rng.random() < 0.8)


def generated_services() -> Iterator[DemoService]:
    # The random draws happen in a fixed order, so the same listings come out on every machine.
    rng = random.Random(2026)
    for province in places.provinces():
        commune = f"Phường trung tâm {province.name}"
        yield _shelter(rng, province, commune)
        for kind in GENERATED_LISTINGS:
            yield _office_listing(rng, province, commune, kind)
