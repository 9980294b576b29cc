"""Deterministic synthetic directory at scale (default 100,000 listings), loaded with COPY.

Listings are built as the same ``Service`` structs the API returns and indexed through the same
``search_document`` mapping, so search runs over exactly what production would index.

    python -m bench.generate --services 100000            # into $KETNOI_DATABASE_URL or the embedded DB
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import asyncpg
from rich.progress import Progress

from search.postgres_documents import write_documents
from service import places
from service.bootstrap import prepare_database
from service.config import Settings
from service.crypto import PersonalDataCipher, data_key
from service.db import database_url
from service.directory.models import (
    Contact,
    ContactKind,
    Fee,
    Location,
    OrganizationRef,
    Schedule,
    Service,
    ServiceStatus,
    Visibility,
)
from service.directory.search_index import search_document

NAMESPACE = uuid.UUID("0b6f8a52-6c1e-4f0e-8f57-2f7b1c9d3a44")

KINDS = [
    ("Nhà tạm lánh", ["shelter"], ["trafficking_survivor", "gbv_survivor", "woman", "child"]),
    ("Địa chỉ tin cậy", ["trusted_address", "shelter"], ["gbv_survivor", "woman", "child"]),
    ("Đường dây nóng tư vấn", ["hotline", "psychosocial"], ["gbv_survivor", "child"]),
    ("Trợ giúp pháp lý", ["legal_aid", "legal_documents"], ["trafficking_survivor", "gbv_survivor"]),
    ("Tư vấn tâm lý", ["psychosocial"], ["trafficking_survivor", "returnee_migrant"]),
    ("Tư vấn hôn nhân gia đình", ["marriage_family_counselling"], ["woman", "returnee_migrant"]),
    ("Khám chữa bệnh", ["health"], ["general", "gbv_survivor"]),
    ("Dạy nghề", ["vocational_training", "livelihood"], ["returnee_migrant", "woman"]),
    ("Giới thiệu việc làm", ["job_placement"], ["general", "returnee_migrant"]),
    ("Vay vốn sinh kế", ["microcredit", "livelihood"], ["returnee_migrant", "general"]),
    ("Tiếp nhận người trở về", ["returnee_reception", "essential_needs"], ["returnee_migrant"]),
    ("Bảo vệ trẻ em", ["child_protection"], ["child"]),
]
# A directory's words follow Zipf's law: a few are everywhere, most are rare. Short syllables
# such as "tam" (tâm, tạm, tám, tầm) are kept on purpose: they make prefix matching costly.
VOCABULARY = """
hỗ trợ tư vấn nhà tạm lánh phụ nữ trẻ em gia đình cộng đồng pháp lý việc làm học nghề sinh kế
vay vốn sức khỏe tâm lý an toàn bình yên hòa bình ánh dương sen mai lan cúc hồng phúc thiện nhân
ái tình thương hy vọng bình minh hướng dương sao mai ngôi mái ấm trung tâm xã hội công tác tám tầm
bảo vệ chăm sóc phục hồi tái hòa nhập di cư trở về lao động nước ngoài biên giới tỉnh huyện phường
xã thôn bản ấp khu phố đường số hẻm chợ trường trạm bệnh viện phòng khám hội liên hiệp đoàn thanh
niên nông dân cựu chiến binh mặt trận tổ quốc công an biên phòng tòa án viện kiểm sát luật sư trợ
giúp tố tụng bào chữa đại diện hộ tịch khai sinh căn cước hộ chiếu giấy tờ chứng nhận kết hôn ly
hôn nuôi con cấp dưỡng bạo lực xâm hại mua bán người lừa đảo cưỡng bức nợ nần cờ bạc ma túy rượu
bia điều trị cai nghiện khám chữa thuốc men dinh dưỡng thai sản sinh sản vô sinh tâm thần trầm cảm
lo âu sang chấn giấc ngủ tham vấn nhóm cá nhân thăm nhà điện thoại zalo tin nhắn trực tuyến miễn phí
chi phí thấp học bổng sách vở đồng phục bán trú nội trú mầm non tiểu học trung học cao đẳng đại học
may mặc nấu ăn làm đẹp cắt tóc điện tử sửa chữa xe máy lái xe tin học ngoại ngữ tiếng anh tiếng
trung tiếng hàn tiếng khmer chăn nuôi trồng trọt lúa cá tôm nấm rau sạch thủ công mỹ nghệ dệt thổ
cẩm đan lát bán hàng kinh doanh nhỏ tiệm quán vốn ưu đãi ngân hàng chính sách quỹ tín dụng tiết
kiệm bảo hiểm trợ cấp khó khăn ban đầu lương thực quần áo chỗ ở đi lại phiên dịch đón tiếp tiếp
nhận sàng lọc xác minh nhận diện nạn nhân giới thiệu chuyển gửi theo dõi đánh giá kế hoạch mục tiêu
""".split()  # noqa: SIM905 - a paragraph of words reads better than 300 quoted strings
PHRASES = [
    "hỗ trợ nạn nhân bị mua bán người",
    "tư vấn tâm lý miễn phí",
    "nơi tạm lánh an toàn cho phụ nữ và trẻ em",
    "trợ giúp pháp lý và giấy tờ hộ tịch",
    "kết nối việc làm và học nghề",
    "chăm sóc y tế ban đầu",
    "hỗ trợ người di cư trở về tái hòa nhập cộng đồng",
    "đường dây nóng hoạt động hai mươi bốn giờ",
]
OFFICE = [
    Schedule(weekday=d, opens_at=o, closes_at=c)
    for d in range(1, 6)
    for o, c in (("07:30", "11:30"), ("13:30", "17:00"))
]


def synthetic_services(count: int, seed: int = 100_000) -> Iterator[Service]:
    rng = random.Random(seed)
    weights = [1 / rank for rank in range(1, len(VOCABULARY) + 1)]

    def pick(count: int) -> list[str]:
        return rng.choices(VOCABULARY, weights=weights, k=count)

    provinces = places.provinces()
    now = datetime(2026, 11, 1, tzinfo=UTC)
    organizations = [
        OrganizationRef(id=uuid.uuid5(NAMESPACE, f"org-{i}"), name=f"Tổ chức {' '.join(pick(2))} {i}")
        for i in range(max(1, count // 10))
    ]
    for i in range(count):
        province = provinces[i % len(provinces)]
        kind, categories, populations = KINDS[rng.randrange(len(KINDS))]
        organization = organizations[i % len(organizations)]
        confidential = "shelter" in categories and rng.random() < 0.7
        lat = province.lat + rng.uniform(-0.3, 0.3)
        lon = province.lon + rng.uniform(-0.3, 0.3)
        always = "hotline" in categories
        yield Service(
            id=uuid.uuid5(NAMESPACE, f"service-{i}"),
            organization_id=organization.id,
            organization=organization,
            name=f"{kind} {' '.join(pick(2))} {province.name}",
            alternate_name=None,
            description=f"{rng.choice(PHRASES)}. {' '.join(pick(14))}",
            status=ServiceStatus.ACTIVE if rng.random() < 0.97 else ServiceStatus.TEMPORARILY_CLOSED,
            categories=list(categories),
            populations=list(populations),
            eligibility_description="",
            min_age=None,
            max_age=None,
            genders=[],
            languages=["vi", "km"] if rng.random() < 0.1 else ["vi"],
            fee=Fee.FREE if rng.random() < 0.8 else Fee.LOW_COST,
            application_process="",
            required_documents=[],
            accepting_referrals=rng.random() < 0.9,
            capacity_total=20 if "shelter" in categories else None,
            capacity_available=rng.randint(0, 20) if "shelter" in categories else None,
            visibility=Visibility.STAFF if rng.random() < 0.05 else Visibility.PUBLIC,
            locations=[
                Location(
                    id=uuid.uuid5(NAMESPACE, f"location-{i}"),
                    name="",
                    street=f"Số {i % 300 + 1} đường Lê Lợi",
                    commune=f"Phường {' '.join(pick(2))}",
                    province_code=province.code,
                    lat=lat,
                    lon=lon,
                    confidential=confidential,
                    accessibility="",
                )
            ],
            service_areas=["national"] if always and rng.random() < 0.1 else [province.code],
            contacts=[
                Contact(
                    kind=ContactKind.HOTLINE if always else ContactKind.PHONE,
                    value=f"0299 555 {i % 10000:04d}",
                    hours="",
                    is_24_7=always,
                    languages=["vi"],
                )
            ],
            schedules=[] if always else OFFICE,
            last_verified_at=now - timedelta(days=rng.randint(0, 400)),
            verified_by=None,
            version=1,
            created_at=now,
            updated_at=now - timedelta(minutes=i),
        )


async def load(conn: asyncpg.Connection, services: list[Service]) -> None:
    """COPY one batch of listings (organizations included) and their search documents."""
    async with conn.transaction():
        organizations = {s.organization.id: s.organization.name for s in services}
        await conn.executemany(
            "INSERT INTO organization (id, name, kind) VALUES ($1, $2, 'ngo') ON CONFLICT DO NOTHING",
            list(organizations.items()),
        )
        await conn.copy_records_to_table(
            "service",
            columns=[
                "id",
                "organization_id",
                "name",
                "description",
                "status",
                "categories",
                "populations",
                "languages",
                "fee",
                "accepting_referrals",
                "capacity_total",
                "capacity_available",
                "visibility",
                "last_verified_at",
                "updated_at",
            ],
            records=[
                (
                    s.id,
                    s.organization_id,
                    s.name,
                    s.description,
                    s.status.value,
                    s.categories,
                    s.populations,
                    s.languages,
                    s.fee.value,
                    s.accepting_referrals,
                    s.capacity_total,
                    s.capacity_available,
                    s.visibility.value,
                    s.last_verified_at,
                    s.updated_at,
                )
                for s in services
            ],
        )
        locations = [(s, loc) for s in services for loc in s.locations]
        await conn.copy_records_to_table(
            "location",
            columns=["id", "organization_id", "street", "commune", "province_code", "lat", "lon", "confidential"],
            records=[
                (
                    loc.id,
                    s.organization_id,
                    loc.street,
                    loc.commune,
                    loc.province_code,
                    loc.lat,
                    loc.lon,
                    loc.confidential,
                )
                for s, loc in locations
            ],
        )
        await conn.copy_records_to_table(
            "service_at_location",
            columns=["service_id", "location_id", "position"],
            records=[(s.id, loc.id, 0) for s, loc in locations],
        )
        await conn.copy_records_to_table(
            "service_area",
            columns=["service_id", "area"],
            records=[(s.id, a) for s in services for a in s.service_areas],
        )
        await conn.copy_records_to_table(
            "contact_point",
            columns=["id", "service_id", "position", "kind", "value", "is_24_7", "languages"],
            records=[
                (uuid.uuid4(), s.id, n, c.kind.value, c.value, c.is_24_7, c.languages)
                for s in services
                for n, c in enumerate(s.contacts)
            ],
        )
        await write_documents(conn, [search_document(s) for s in services])


async def generate(url: str, cipher: PersonalDataCipher, count: int, batch: int = 5_000) -> float:
    conn = await asyncpg.connect(url)
    started = time.perf_counter()
    try:
        await prepare_database(conn, cipher)
        services = synthetic_services(count)
        with Progress() as progress:
            task = progress.add_task("Generating listings", total=count)
            while chunk := [s for _, s in zip(range(batch), services, strict=False)]:
                await load(conn, chunk)
                progress.advance(task, len(chunk))
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=100_000)
    args = parser.parse_args()
    settings = Settings.from_env()
    seconds = asyncio.run(generate(database_url(settings), PersonalDataCipher(data_key(settings)), args.services))
    print(f"{args.services} listings in {seconds:.1f} s ({args.services / seconds:,.0f}/s)")


if __name__ == "__main__":
    main()
