"""A deterministic synthetic catalog of Chinese government information resources.

``dataset(i)`` is the i-th dataset of the corpus: the same ``i`` and seed always give the same
dataset, so any N is a prefix of any larger N and a run can grow the index from 16,370 to
200,000 without regenerating. Vocabularies are real department names, subject words and the
controlled values of the catalog (``/work/shared/domain/REFERENCE.md`` §4): ~60 departments,
~300 classification codes, share / open / format / update-cycle values, ~200 tags.

Every dataset's abstract contains ``EVERY_WORD`` (the worst-case query that matches everything).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import uuid
from dataclasses import dataclass
from typing import Any, Iterator

SEED = 20260
EVERY_WORD = "信息"

# (name, title): 60 provincial departments; names are CKAN organization names.
DEPARTMENTS: list[tuple[str, str]] = [(f"dept-{i:02d}", t) for i, t in enumerate([
    "省发展和改革委员会", "省经济和信息化厅", "省教育厅", "省科学技术厅", "省民族宗教事务委员会",
    "省公安厅", "省民政厅", "省司法厅", "省财政厅", "省人力资源和社会保障厅",
    "省自然资源厅", "省生态环境厅", "省住房和城乡建设厅", "省交通运输厅", "省水利厅",
    "省农业农村厅", "省商务厅", "省文化和旅游厅", "省卫生健康委员会", "省退役军人事务厅",
    "省应急管理厅", "省审计厅", "省外事办公室", "省人民政府国有资产监督管理委员会", "省市场监督管理局",
    "省广播电视局", "省体育局", "省统计局", "省医疗保障局", "省机关事务管理局",
    "省信访局", "省林业局", "省粮食和物资储备局", "省能源局", "省监狱管理局",
    "省药品监督管理局", "省知识产权局", "省大数据发展管理局", "省地方金融监督管理局", "省人民防空办公室",
    "省税务局", "省气象局", "省通信管理局", "省邮政管理局", "省地震局",
    "省烟草专卖局", "省消防救援总队", "省档案局", "省残疾人联合会", "省总工会",
    "省红十字会", "省住房公积金管理中心", "省公共资源交易中心", "省政务服务中心", "省海洋局",
    "省文物局", "省乡村振兴局", "省数据局", "省城市管理局", "省国家安全厅",
])]

# Subject words (the user dictionary keeps most of them whole).
SUBJECTS = [
    "企业法人登记", "不动产登记", "社会保险缴纳", "统一社会信用代码", "营业执照", "行政许可",
    "行政处罚", "住房公积金", "人口基础信息", "法人单位", "电子证照", "自然资源", "户籍登记",
    "婚姻登记", "出生医学证明", "死亡登记", "低保救助", "特困人员供养", "残疾人证", "养老保险",
    "医疗保险", "失业保险", "工伤保险", "生育保险", "就业登记", "职业资格证书", "专业技术人员",
    "教师资格", "学籍", "学校基本情况", "医疗机构执业", "医师执业注册", "药品经营许可",
    "食品经营许可", "特种设备", "计量器具", "产品质量抽检", "建设工程规划许可", "施工许可",
    "商品房预售", "建筑业企业资质", "道路运输经营许可", "机动车登记", "驾驶证", "交通违法",
    "水资源", "河道管理", "水质监测", "空气质量", "污染源排放", "环境影响评价", "排污许可",
    "土地利用", "耕地保护", "矿产资源", "林地管理", "森林防火", "农产品质量", "动物防疫",
    "农机购置补贴", "粮食收购", "外商投资企业", "进出口企业", "招标投标", "政府采购",
    "国有资产", "财政预算", "税务登记", "纳税信用等级", "发票", "知识产权", "专利",
    "商标", "企业年报", "经营异常名录", "严重违法失信", "信用承诺", "公共信用评价",
    "文物保护单位", "旅游景区", "体育场馆", "图书馆", "广播电视", "气象观测", "地震监测",
    "应急救援队伍", "安全生产许可", "危险化学品", "消防安全检查", "社会组织登记", "慈善组织",
    "宗教活动场所", "退役军人优待", "烈士褒扬", "信访事项", "档案查询", "人民调解",
    "法律援助", "律师执业", "公证机构", "监狱服刑人员", "社区矫正", "住房保障", "物业服务企业",
    "城市管理执法", "公共资源交易", "政务服务事项", "办件", "好差评", "数据共享交换",
]
# Single words that queries combine (segmenter-level words).
WORDS = [
    "企业", "登记", "许可", "证书", "名单", "统计", "监测", "备案", "补贴", "人员", "机构",
    "项目", "资质", "审批", "检查", "投诉", "服务", "信用", "价格", "医院", "学校", "道路",
    "车辆", "土地", "房屋", "水库", "河流", "森林", "农村", "城市", "社区", "家庭", "老年人",
    "儿童", "学生", "教师", "医生", "药品", "食品", "能源", "电力", "燃气", "供水", "交通",
]
REGIONS = [
    "杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市",
    "台州市", "丽水市", "西湖区", "余杭区", "鄞州区", "瓯海区", "南湖区", "柯桥区", "义乌市",
    "全省", "省本级",
]
SUFFIXES = ["信息", "数据", "目录", "名录", "台账", "清单", "统计表", "明细", "情况", "汇总表",
            "基本信息", "变更信息", "注销信息", "年度报告"]
ITEMS = ["统一社会信用代码", "企业名称", "法定代表人", "注册资本", "成立日期", "经营范围",
         "住所", "登记机关", "身份证号码", "姓名", "性别", "出生日期", "联系电话", "地址",
         "证照编号", "发证日期", "有效期", "审批结果", "办理状态", "所属行政区划", "行业分类",
         "参保单位", "缴费基数", "缴费月份", "不动产单元号", "权利人", "坐落", "面积", "用途"]
CLASS_1 = {"1": "基础信息资源", "2": "主题信息资源", "3": "部门信息资源"}
# ~300 classification codes: 3 classes x 10 categories x 10 items.
CLASS_CODES = [f"{c1}{c2:02d}{c3:02d}" for c1 in CLASS_1 for c2 in range(1, 11) for c3 in range(1, 11)]
SHARE_TYPES = ["无条件共享", "有条件共享", "不予共享"]
SHARE_WEIGHTS = [0.55, 0.35, 0.10]
OPEN_TYPES = ["无条件开放", "有条件开放", "不予开放"]
OPEN_WEIGHTS = [0.45, 0.30, 0.25]
FORMAT_CLASSES = ["电子文件", "电子表格", "数据库", "图形图像", "流媒体", "自描述格式", "服务接口"]
FORMAT_WEIGHTS = [0.15, 0.30, 0.35, 0.05, 0.02, 0.03, 0.10]
RES_FORMATS = {"电子文件": ["PDF", "DOCX", "OFD"], "电子表格": ["XLSX", "CSV"],
               "数据库": ["CSV", "JSON", "XML"], "图形图像": ["JPG", "PNG"], "流媒体": ["MP4"],
               "自描述格式": ["JSON", "XML"], "服务接口": ["API", "JSON"]}
UPDATE_CYCLES = ["实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期"]
TAGS = ([s for s in SUBJECTS[:90]] + [w for w in WORDS] + [r for r in REGIONS[:11]]
        + ["民生", "营商环境", "一网通办", "最多跑一次", "数字政府", "公共服务", "监管",
           "疫情防控", "乡村振兴", "共同富裕", "双碳", "智慧城市", "信用体系", "放管服",
           "长三角", "基层治理", "生态文明", "安全生产", "政务公开", "便民服务"])
EPOCH = dt.datetime(2018, 1, 1)
SPAN_SECONDS = int((dt.datetime(2026, 11, 1) - EPOCH).total_seconds())


@dataclass(frozen=True)
class Dataset:
    """One synthetic dataset as ``package_show`` would return it, plus its catalog fields."""

    pkg: dict[str, Any]
    catalog: dict[str, str]

    @property
    def modified(self) -> str:
        return self.pkg["metadata_modified"]


def _uuid(kind: str, i: int, seed: int) -> str:
    return str(uuid.UUID(bytes=hashlib.md5(f"{seed}:{kind}:{i}".encode()).digest()))


def dataset(i: int, seed: int = SEED) -> Dataset:
    rng = random.Random(seed * 1_000_003 + i)
    # Half the datasets spread evenly, half skewed towards the first departments.
    skewed = min(int(rng.paretovariate(1.2)) - 1, len(DEPARTMENTS) - 1)
    dept_name, dept_title = DEPARTMENTS[skewed if rng.random() < 0.5 else rng.randrange(60)]
    subject = rng.choice(SUBJECTS)
    region = rng.choice(REGIONS)
    suffix = rng.choice(SUFFIXES)
    title = rng.choice([
        f"{region}{subject}{suffix}",
        f"{dept_title}{subject}{suffix}",
        f"{region}{rng.choice(WORDS)}{subject}{suffix}",
        f"{subject}{rng.choice(WORDS)}{suffix}",
    ])
    share = rng.choices(SHARE_TYPES, SHARE_WEIGHTS)[0]
    open_type = rng.choices(OPEN_TYPES, OPEN_WEIGHTS)[0]
    fmt_class = rng.choices(FORMAT_CLASSES, FORMAT_WEIGHTS)[0]
    cycle = rng.choice(UPDATE_CYCLES)
    code = rng.choice(CLASS_CODES)
    items = "、".join(rng.sample(ITEMS, rng.randint(4, 9)))
    other = rng.choice(SUBJECTS)
    notes = (
        f"本{EVERY_WORD}资源由{dept_title}提供，汇集{region}{subject}相关{rng.choice(WORDS)}"
        f"{rng.choice(['数据', '记录', '业务数据', '办理结果'])}，主要信息项包括{items}。"
        f"{rng.choice(['数据来源于', '数据采集自', '数据汇聚自'])}"
        f"{rng.choice(['部门业务系统', '前置机交换库', '省一体化数据平台', '政务服务网'])}，"
        f"{cycle}更新，共享类型为{share}，开放类型为{open_type}。"
        + (f"可与{other}等资源关联使用，支撑{rng.choice(['营商环境', '社会治理', '公共服务', '监管执法', '决策分析'])}"
           f"{rng.choice(['应用', '场景', '工作'])}。" if rng.random() < 0.6 else "")
    )
    tags = sorted(set(rng.sample(TAGS, rng.randint(2, 5))))
    created = EPOCH + dt.timedelta(seconds=rng.randrange(SPAN_SECONDS))
    modified = min(created + dt.timedelta(seconds=rng.randrange(86400 * 400)),
                   EPOCH + dt.timedelta(seconds=SPAN_SECONDS))
    pkg_id = _uuid("pkg", i, seed)
    formats = RES_FORMATS[fmt_class]
    resources = []
    for r in range(rng.randint(1, 3)):
        res_format = rng.choice(formats)
        resources.append({
            "id": _uuid(f"res{r}", i, seed), "package_id": pkg_id, "position": r,
            "name": f"{subject}{rng.choice(['数据表', '明细表', '接口', '文件', '统计表'])}{r + 1}",
            "description": f"{subject}{rng.choice(SUFFIXES)}，格式为{res_format}。",
            "format": res_format, "url": f"https://data.example.gov.cn/res/{i}/{r}",
            "resource_type": None, "state": "active", "mimetype": None, "size": None,
            "created": created.isoformat(), "last_modified": None, "url_type": None,
            "hash": "", "cache_url": None, "metadata_modified": modified.isoformat(),
        })
    catalog = {
        "resource_code": f"{code[:1]}{rng.randrange(10**8, 10**9)}/{rng.randrange(1, 999):03d}",
        "class_1": code[:1], "class_2": code[:3], "class_3": code,
        "share_type": share, "open_type": open_type, "format_class": fmt_class,
        "update_cycle": cycle, "publish_year": str(created.year),
    }
    org_id = _uuid("org", int(dept_name[5:]), seed)
    pkg: dict[str, Any] = {
        "id": pkg_id, "name": f"govcat-bench-{i:07d}", "title": title, "notes": notes,
        "type": "dataset", "state": "active", "private": False, "owner_org": org_id,
        "organization": {"id": org_id, "name": dept_name, "title": dept_title,
                         "type": "organization", "state": "active", "is_organization": True,
                         "approval_status": "approved", "image_url": "", "description": "",
                         "created": EPOCH.isoformat()},
        "author": None, "author_email": None, "maintainer": dept_title, "maintainer_email": None,
        "license_id": "cc-by", "license_title": "Creative Commons Attribution", "url": "",
        "version": "1.0", "creator_user_id": _uuid("user", 0, seed), "isopen": True,
        "metadata_created": created.isoformat(), "metadata_modified": modified.isoformat(),
        "num_resources": len(resources), "num_tags": len(tags),
        "tags": [{"id": _uuid("tag:" + t, 0, seed), "name": t, "display_name": t,
                  "state": "active", "vocabulary_id": None} for t in tags],
        "groups": [], "relationships_as_subject": [], "relationships_as_object": [],
        "resources": resources,
        "extras": [{"key": k, "value": v} for k, v in catalog.items()],
    }
    return Dataset(pkg, catalog)


def index_document(ds: Dataset, site_id: str) -> dict[str, Any]:
    """The document CKAN 2.12's ``PackageSearchIndex.index_package`` hands the connection."""
    pkg = ds.pkg
    doc: dict[str, Any] = {k: v for k, v in pkg.items()
                           if k not in ("tags", "groups", "resources", "extras", "organization",
                                        "relationships_as_subject", "relationships_as_object")}
    doc["data_dict"] = json.dumps(pkg, ensure_ascii=False)
    validated = dict(pkg)
    validated.pop("extras")
    validated.update(ds.catalog)
    doc["validated_data_dict"] = json.dumps(validated, ensure_ascii=False)
    doc["title_string"] = pkg["title"]
    for key, value in ds.catalog.items():
        doc["extras_" + key] = value
        doc[key] = value
    doc["tags"] = [t["name"] for t in pkg["tags"]]
    doc["groups"] = []
    doc["capacity"] = "public"
    doc["organization"] = pkg["organization"]["name"]
    for okey, nkey in (("name", "res_name"), ("description", "res_description"),
                       ("format", "res_format"), ("url", "res_url"), ("resource_type", "res_type")):
        doc[nkey] = [r.get(okey) or "" for r in pkg["resources"]]
    doc["entity_type"] = "package"
    doc["dataset_type"] = pkg["type"]
    doc["metadata_created"] = pkg["metadata_created"] + "Z"
    doc["metadata_modified"] = pkg["metadata_modified"] + "Z"
    doc["site_id"] = site_id
    doc["index_id"] = hashlib.md5(f"{pkg['id']}{site_id}".encode()).hexdigest()
    doc["permission_labels"] = ["public"]
    return doc


def datasets(start: int, stop: int, seed: int = SEED) -> Iterator[Dataset]:
    for i in range(start, stop):
        yield dataset(i, seed)


def texts(n: int, seed: int = SEED) -> Iterator[str]:
    """Titles and abstracts of the first ``n`` datasets (the segmenter comparison's corpus)."""
    for ds in datasets(0, n, seed):
        yield ds.pkg["title"]
        yield ds.pkg["notes"]
