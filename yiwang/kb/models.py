"""Knowledge base (知识库): articles generated from the catalogue plus free articles, and synonyms.

Search runs on a database full-text index over pre-segmented text (jieba words, pinyin, initials,
joined by spaces): an FTS5 table on SQLite, a generated tsvector column with a GIN index on
PostgreSQL (both created in migration 0002)."""

from django.db import models


class Source(models.TextChoices):
    ITEM = "item", "办事指南"
    BUNDLE = "bundle", "一件事明白卡"
    FREE = "free", "知识文章"


class ArticleCategory(models.Model):
    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "知识分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    key = models.CharField("来源键", max_length=80, unique=True, help_text="item:<实施编码>、bundle:<编码> 或 free:<编号>")
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.FREE)
    title = models.CharField("标题", max_length=200)
    summary = models.CharField("摘要", max_length=300, blank=True, default="")
    body = models.TextField("正文")
    keywords = models.CharField("关键词", max_length=300, blank=True, default="",
                                help_text="以空格分隔，检索时权重高于正文")
    answer = models.TextField("标准答复口径", blank=True, default="", help_text="话务员即时答复时读给来电人听的话")
    category = models.ForeignKey(ArticleCategory, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="articles", verbose_name="分类")
    region = models.ForeignKey("organisations.Region", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    implementation = models.ForeignKey("catalogue.ItemImplementation", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    bundle = models.ForeignKey("catalogue.Bundle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True, help_text="当日起不再显示")
    active = models.BooleanField("在用", default=True)
    title_tokens = models.TextField(blank=True, default="", editable=False)
    keyword_tokens = models.TextField(blank=True, default="", editable=False)
    body_tokens = models.TextField(blank=True, default="", editable=False)
    content_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "知识库文章"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title


class Synonym(models.Model):
    """A query word and what it also means: 执照 → 营业执照; 开公司 → 企业设立登记 企业开办."""

    term = models.CharField("词", max_length=32, unique=True)
    expansions = models.CharField("同义词", max_length=200, help_text="以空格分隔")
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "同义词"
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} → {self.expansions}"
