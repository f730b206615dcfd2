"""Merchant onboarding for applicants: `POST /merchant/applications` and the status.

The answer comes in the applicant's language (`Accept-Language`: zh or en, zh by default).
A bad field is 400 with one entry per problem: the field's name and why, worded for people.
A qualification document is a link to its scan (`url`, https) or the scan itself
(`content_base64`: JPEG, PNG, WebP or PDF, at most 5 MB, at most MAX_UPLOADS per application),
stored privately under `VAR_DIR/documents/` and opened by reviewers in the console
(`/console/api/documents/<name>`).
The status is asked with the token given at submission (`X-Application-Token`); the first
status answer after approval carries the merchant API key, once.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.photos import MAX_BYTES as PHOTO_MAX_BYTES
from bot.photos import PhotoRejected, PhotoStore
from shop import taxonomy
from shop.merchants import (
    ApplicationForm,
    ApplicationNotFound,
    Document,
    DuplicateApplication,
    FieldProblem,
    InvalidApplication,
    MerchantApplication,
    MerchantOnboarding,
)

TOKEN_HEADER = "X-Application-Token"

FIELD_NAMES = {
    "zh": {"company_name": "公司名称", "credit_code": "统一社会信用代码", "licence_number": "营业执照注册号",
           "phone": "联系电话", "email": "电子邮箱", "categories": "经营类目", "documents": "资质文件",
           "reason": "原因"},
    "en": {"company_name": "company name", "credit_code": "unified social credit code",
           "licence_number": "business licence number", "phone": "contact phone", "email": "e-mail",
           "categories": "categories", "documents": "qualification documents", "reason": "reason"},
}
DOCUMENT_NAMES = {
    "zh": {"business_licence": "营业执照", "food_business_licence": "食品经营许可证",
           "cosmetics_licence": "化妆品生产许可证", "drug_or_device_licence": "药品或医疗器械经营许可证"},
    "en": {"business_licence": "business licence", "food_business_licence": "food business licence",
           "cosmetics_licence": "cosmetics production licence",
           "drug_or_device_licence": "drug or medical device licence"},
}
MESSAGES = {
    "zh": {
        "required": "{field}不能为空",
        "too_long": "{field}过长(最多 {max} 个字符)",
        "too_many": "{field}过多(最多 {max} 份)",
        "credit_code_length": "{field}应为 18 位,收到 {length} 位",
        "credit_code_character": "{field}含有不允许的字符“{character}”(不使用 I、O、S、V、Z)",
        "credit_code_check": "{field}校验位不正确(GB 32100-2015):末位应为 {expected},收到 {given},请核对",
        "licence_format": "{field}格式不正确(15 位注册号或 18 位统一社会信用代码)",
        "phone_format": "{field}格式不正确(手机号或带区号的座机号)",
        "email_format": "{field}格式不正确",
        "unknown_category": "{field}中没有“{category}”",
        "unknown_document": "{field}中有未知的文件类型“{kind}”",
        "document_incomplete": "{field}:{document}需要证件编号和以 https:// 开头的文件链接",
        "document_missing": "{field}:经营“{category}”类目需要上传{document}",
    },
    "en": {
        "required": "{field} is required",
        "too_long": "{field} is too long (at most {max} characters)",
        "too_many": "too many {field} (at most {max})",
        "credit_code_length": "the {field} must have 18 characters, not {length}",
        "credit_code_character": "the {field} contains '{character}', which is not allowed (no I, O, S, V, Z)",
        "credit_code_check": "the {field} has a wrong check character (GB 32100-2015): the last one should be "
                             "{expected}, not {given}; please check the code",
        "licence_format": "the {field} is malformed (a 15-digit registration number or an 18-character code)",
        "phone_format": "the {field} is malformed (a mobile number, or a landline with its area code)",
        "email_format": "the {field} is malformed",
        "unknown_category": "{field}: there is no category '{category}'",
        "unknown_document": "{field}: unknown document kind '{kind}'",
        "document_incomplete": "{field}: the {document} needs its number and a link (https://) to the scan",
        "document_missing": "{field}: selling in '{category}' needs the {document}",
    },
}
MAX_UPLOADS = 3
UPLOAD_BASE64_CHARS = (PHOTO_MAX_BYTES + 2) // 3 * 4
UPLOADS_MAX_BODY = MAX_UPLOADS * UPLOAD_BASE64_CHARS + 64 * 1024  # what POST /merchant/applications may carry
DOCUMENTS_PREFIX = "/console/api/documents/"
TEXTS = {
    "zh": {"invalid": "申请信息有误", "duplicate": "该统一社会信用代码已有进行中或已通过的申请",
           "not_found": "没有找到这个申请,请检查令牌", "submitted": "申请已提交,请保存状态查询令牌",
           "key_once": "这是您的商家 API 密钥,只显示这一次,请妥善保存",
           "bad_upload": "资质文件“{kind}”无法读取:请上传 JPG、PNG、WebP 或 PDF 文件(5 MB 以内,base64 编码)",
           "too_many_uploads": "一次申请最多直接上传 {n} 个文件,其余请提供链接"},
    "en": {"invalid": "the application has errors", "duplicate": "an application for this credit code is open or "
           "approved already", "not_found": "no application with this token",
           "submitted": "application received; keep the status token",
           "key_once": "your merchant API key: shown only this once, keep it safe",
           "bad_upload": "the document '{kind}' cannot be read: upload a JPG, PNG, WebP or PDF file "
                         "(5 MB at most, base64-encoded)",
           "too_many_uploads": "at most {n} files can be uploaded with one application; give links for the rest"},
}


def applicant_language(request: Request) -> str:
    """zh or en from Accept-Language (highest q first); zh when neither is named."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("zh", "en") and q > 0:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else "zh"


def problem_text(problem: FieldProblem, language: str) -> str:
    params = dict(problem.params)
    params["field"] = FIELD_NAMES[language].get(problem.field, problem.field)
    if "kind" in params:
        params["document"] = DOCUMENT_NAMES[language].get(params["kind"], params["kind"])
    if params.get("category") in taxonomy.TOP_GROUPS:
        params["category"] = taxonomy.name(params["category"], language)
    return MESSAGES[language].get(problem.code, "{field}: " + problem.code).format(**params)


def problems_json(exc: InvalidApplication, language: str) -> dict[str, Any]:
    return {"error": TEXTS[language]["invalid"],
            "problems": [{"field": p.field, "code": p.code, "message": problem_text(p, language)}
                         for p in exc.problems]}


class DocumentBody(BaseModel):
    kind: str = Field(max_length=100)
    number: str = Field(default="", max_length=100)
    url: str = Field(default="", max_length=2000)
    content_base64: str = Field(default="", max_length=UPLOAD_BASE64_CHARS,
                                description="the scan itself (JPEG, PNG, WebP or PDF), instead of a url")


class ApplicationBody(BaseModel):
    """Lengths here only bound the request; the fields are checked (and worded) by the shop."""

    company_name: str = Field(default="", max_length=1000)
    credit_code: str = Field(default="", max_length=100)
    licence_number: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=1000)
    categories: list[str] = Field(default_factory=list, max_length=50)
    documents: list[DocumentBody] = Field(default_factory=list, max_length=50)


def applicant_view(application: MerchantApplication) -> dict[str, Any]:
    return {"application_id": application.id, "company_name": application.company_name,
            "status": application.status.value, "submitted_at": application.submitted_at.isoformat(),
            "updated_at": application.updated_at.isoformat(),
            "reason": application.reason, "merchant_id": application.merchant_id}


def build_application_router(onboarding: MerchantOnboarding, documents: PhotoStore | None = None) -> APIRouter:
    """`documents`: where uploaded scans are kept (without it only links are taken)."""
    router = APIRouter(prefix="/merchant/applications", tags=["merchant onboarding"])

    async def stored(body: ApplicationBody, language: str) -> list[Document] | JSONResponse:
        uploads = [d for d in body.documents if d.content_base64]
        if uploads and (documents is None or len(uploads) > MAX_UPLOADS):
            return JSONResponse({"error": TEXTS[language]["too_many_uploads"].format(n=MAX_UPLOADS if documents else 0)},
                                status_code=400)
        out = []
        for d in body.documents:
            url = d.url if d.url.startswith(("https://", "http://")) else ""  # our own paths come from uploads only
            if d.content_base64:
                assert documents is not None
                try:
                    url = await documents.save(base64.b64decode(d.content_base64, validate=True))
                except (binascii.Error, ValueError, PhotoRejected):
                    return JSONResponse({"error": TEXTS[language]["bad_upload"].format(kind=d.kind[:40])},
                                        status_code=400)
            out.append(Document(d.kind, d.number, url))
        return out

    @router.post("", status_code=201, responses={
        400: {"description": "a field is wrong: `problems` lists each, worded in the applicant's language"},
        409: {"description": "this credit code has an open or approved application"}})
    async def apply(body: ApplicationBody, request: Request) -> JSONResponse:
        language = applicant_language(request)
        docs = await stored(body, language)
        if isinstance(docs, JSONResponse):
            return docs
        form = ApplicationForm(body.company_name, body.credit_code, body.licence_number, body.phone, body.email,
                               tuple(body.categories), tuple(docs))
        try:
            application, token = await onboarding.submit(form, language)
        except InvalidApplication as exc:
            return JSONResponse(problems_json(exc, language), status_code=400)
        except DuplicateApplication:
            return JSONResponse({"error": TEXTS[language]["duplicate"]}, status_code=409)
        return JSONResponse(applicant_view(application) | {
            "status_token": token, "message": TEXTS[language]["submitted"],
            "status_url": "/merchant/applications/status", "status_header": TOKEN_HEADER}, status_code=201)

    @router.get("/status", responses={404: {"description": "no application with this token"}})
    async def status(request: Request) -> JSONResponse:
        language = applicant_language(request)
        try:
            application, key = await onboarding.status(request.headers.get(TOKEN_HEADER, ""))
        except ApplicationNotFound:
            return JSONResponse({"error": TEXTS[language]["not_found"]}, status_code=404)
        out = applicant_view(application)
        if key is not None:
            out |= {"api_key": key, "message": TEXTS[language]["key_once"]}
        return JSONResponse(out, headers={"Cache-Control": "no-store"})

    return router
